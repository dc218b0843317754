"""Throughline: find the binding go-to-market constraint in a company's own exports."""

__version__ = "0.1.0"

__all__ = ["__version__"]
