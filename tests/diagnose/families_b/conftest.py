"""Fixtures for the families-B tests (handoff, legibility, feedback, promises, messaging,
binding constraint): the store builders live in ``stores``; no shared fixtures."""
