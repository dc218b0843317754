"""Tiny in-memory evidence stores for the family tests: ``tiny`` and ``synth`` (row by
row, per family), ``tests.diagnose.stores`` (from rows, with a PostgreSQL-checked
context); no shared fixtures."""
