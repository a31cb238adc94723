"""Putting the entry points in place: for one block (``patch``) or a whole process (``start``).

``start`` patches each driver right after its first import (a meta-path hook), so a child Python
that never touches a database neither imports the drivers nor pays for the patch.
"""
from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading

from .entrypoints import PATCHES, real_function
from .router import Router

CONFIG_ENV = "DWH_PATCH_CONFIG"   # the dwhkit config `dwh exec` chose, for the child processes


class _Installed:
    """The attributes one patch replaced, to put back in reverse order."""

    def __init__(self, router: Router):
        self.router = router
        self.saved: list[tuple[object, str, object]] = []
        self.factories: dict[object, object] = {}   # the real function → its patch factory

    def replace(self, owner, attr: str, factory) -> None:
        current = getattr(owner, attr)
        self.factories[real_function(current)] = factory
        self.saved.append((owner, attr, current))
        setattr(owner, attr, factory(self.router, current))

    def install_module(self, name: str) -> None:
        for owner_name, attr, factory in PATCHES[name]:
            owner = sys.modules.get(owner_name)
            if owner is not None and hasattr(owner, attr):
                self.replace(owner, attr, factory)

    def install_target(self, target: str) -> None:
        """``"module.name"``: a name some module bound with ``from psycopg2 import connect``."""
        module_name, _, attr = target.rpartition(".")
        if not module_name:
            raise ValueError(f"patch target {target!r} must be 'module.name'")
        owner = importlib.import_module(module_name)
        current = getattr(owner, attr)
        factory = self.factories.get(real_function(current))
        if factory is None:
            raise ValueError(f"patch target {target!r} is not psycopg2.connect, redshift_connector.connect "
                             "or sqlalchemy.create_engine")
        self.saved.append((owner, attr, current))
        setattr(owner, attr, factory(self.router, current))

    def restore(self) -> None:
        for owner, attr, value in reversed(self.saved):
            setattr(owner, attr, value)
        self.saved.clear()


@contextlib.contextmanager
def patch(config=None, targets=()):
    """While active, connections to Redshift hosts through psycopg2, redshift_connector or
    SQLAlchemy become dwhkit connections on ``config``'s target (a path, a ``Config``, or the
    usual ./dwh.cfg / $DWH_CONFIG). ``targets``: extra ``"module.name"`` bindings to patch, for
    modules that did ``from psycopg2 import connect`` before the patch began. Yields the Router."""
    router = Router(config)
    installed = _Installed(router)
    try:
        for name in PATCHES:
            try:
                importlib.import_module(name)
            except ImportError:
                continue  # a driver that is not installed needs no patch
            installed.install_module(name)
        for target in targets:
            installed.install_target(target)
        yield router
    finally:
        installed.restore()


class _PostImportHook:
    """A meta-path finder that patches a driver module right after it is first executed."""

    def __init__(self, installed: _Installed):
        self.installed = installed
        self._busy = threading.local()

    def find_spec(self, name, path=None, target=None):
        if name not in PATCHES or getattr(self._busy, "on", False):
            return None
        self._busy.on = True
        try:
            import importlib.util

            spec = importlib.util.find_spec(name)
        finally:
            self._busy.on = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return None
        loader, installed = spec.loader, self.installed

        class _Loader:
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                loader.exec_module(module)
                installed.install_module(name)

            def __getattr__(self, attr):
                return getattr(loader, attr)

        spec.loader = _Loader()
        return spec


_started: _Installed | None = None


def start(config=None) -> None:
    """Patch this whole process for good (``dwh exec``'s hook): drivers already imported now, the
    others as they are imported. ``config`` defaults to $DWH_PATCH_CONFIG, else the usual lookup."""
    global _started
    if _started is not None:
        return
    if config is None:
        config = os.environ.get(CONFIG_ENV) or None
    _started = _Installed(Router(config))
    for name in PATCHES:
        if name in sys.modules:
            _started.install_module(name)
    sys.meta_path.insert(0, _PostImportHook(_started))
