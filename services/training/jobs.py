"""Placeholder: being written (see services/backends/local.py for the functions it provides)."""
