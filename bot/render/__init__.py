"""Pure rendering: records in, Telegram HTML out, in the reader's language."""
