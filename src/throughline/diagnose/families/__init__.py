"""Built-in diagnostic families; importing this package registers them."""
