"""Council fixtures: one small sample company for the whole session (see workspace.py)."""

from tests.council.workspace import company  # noqa: F401  (session fixture, built once)
