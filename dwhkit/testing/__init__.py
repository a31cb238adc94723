"""Testing Redshift SQL with dwhkit: the pytest plugin's helpers (the plugin itself is
``dwhkit.testing.plugin``, loaded automatically by pytest once dwhkit is installed)."""
from __future__ import annotations

from .assertions import (assert_rows, format_load_errors, load_errors, load_errors_message, rows_difference,
                         run_copy)

__all__ = ["assert_rows", "format_load_errors", "load_errors", "load_errors_message", "rows_difference",
           "run_copy"]
