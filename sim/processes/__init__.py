"""Vectorised processes over the columnar state, one module per process."""
