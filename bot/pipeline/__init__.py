"""Glue that moves papers between feeds/ and storage/: list, arXiv, scores, digests, suggestions."""
