"""Diagnose: registered diagnostics → findings → the binding GTM constraint."""
