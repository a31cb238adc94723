"""Warehouses built on dwhkit, one folder each."""
