"""`throughline ingest`."""
