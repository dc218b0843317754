"""End to end: sample company → ingest → diagnose (recovery, warehouse)."""
