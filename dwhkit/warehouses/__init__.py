"""The warehouses built on dwhkit, one folder each, and the registry that finds them by name.
Adding a warehouse is adding a folder whose package defines ``WAREHOUSE``."""
from __future__ import annotations

import importlib
import pkgutil

from ..errors import ConfigError
from .model import Landing, Step, Table, Warehouse


def warehouse_names() -> list[str]:
    """Every package under dwhkit/warehouses/ is a warehouse."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg)


def get_warehouse(name: str) -> Warehouse:
    names = warehouse_names()
    if name not in names:
        raise ConfigError(f"unknown warehouse {name!r}; known: {', '.join(names)}")
    return importlib.import_module(f"{__name__}.{name}").WAREHOUSE


__all__ = ["Landing", "Step", "Table", "Warehouse", "get_warehouse", "warehouse_names"]
