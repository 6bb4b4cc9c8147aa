"""Tokens: the balance every generation spends, and the ledger that explains it."""
