"""`throughline library ...` — filled in by the research-library work."""
