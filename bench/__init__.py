"""Benchmarks of Fine-Tune Studio against the tools people would otherwise use.

Run `python -m bench` (or `make bench`); see bench/README.md for what each figure means.
"""
