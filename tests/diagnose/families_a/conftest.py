"""Tiny in-memory evidence stores for the post-sale, ICP, honesty, pipeline, push/pull,
channel and attribution diagnostics live in ``synth`` and ``tiny``; no shared fixtures."""
