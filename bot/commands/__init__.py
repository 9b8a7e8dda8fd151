"""Telegram-free answers to commands and buttons; one table (bot/commands/table.py) lists them."""
