"""Benchmarks of the nudge dispatcher; run by hand (see bench/README.md), not by pytest."""
