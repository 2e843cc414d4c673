"""Test support shared by every test folder: the finished tiny job and its fixtures.

Fixtures live in tests/support/fixtures.py and are made visible to the whole suite by
tests/conftest.py; helpers without pytest in them live beside it.
"""
