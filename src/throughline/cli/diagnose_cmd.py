"""`throughline diagnose` — filled in by the diagnose work."""
