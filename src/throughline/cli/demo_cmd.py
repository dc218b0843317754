"""`throughline demo`."""
