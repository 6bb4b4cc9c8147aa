"""Benchmarks of the backend (``make bench`` = ``python -m bench``); never part of ``make test``."""
