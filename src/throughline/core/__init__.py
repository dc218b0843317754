"""The base layer: plain helpers every other part of throughline may use.

Nothing in ``throughline.core`` imports anything else from the package, so any module —
diagnostics, reports, the decision record, the CLI — can depend on it without cycles.
"""
