"""Translations kept across processes, for the statements a warehouse owns.

Why: every ``etl.py`` run translated the same ~80 statements again, most of its client CPU (0.6 s
on STEDI's real data). A warehouse's steps, reconciliation and checks are dwhkit's own SQL (its
text ships with the package or the warehouse definition), so their translations are written to a
file and read back by the next run. Ad-hoc SQL a user runs is never written anywhere: it may hold
passwords or personal data, and this file lives outside the database.

A translation depends on three things, and all three are in the key:
- the code that translates: a digest of dwhkit/compat's sources and sqlglot's version (a file
  written by other code is ignored whole);
- the statement's text;
- the column types of the tables it names (``answers``, as compat.translate.to_postgres asks the
  catalog): the same text over other column types is translated again.

The file is ``$DWH_TRANSLATION_CACHE`` (``off`` turns this off), else
``$XDG_CACHE_HOME/dwhkit/translations.json`` (``~/.cache`` without it). What it holds is run as
SQL, so it is read only when it is a private file of the user running dwhkit in a folder nobody
else can write (dwhkit.private_files): a planted file or symlink is never used. It is written
0600 under a fresh name and renamed into place, so processes that write it at once leave one of
their versions whole. A file that cannot be read, or is refused, counts as absent (said once in
the log); the translation then happens as if there were no store.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from importlib import metadata
from pathlib import Path

from dwhkit.errors import DwhError
from dwhkit.private_files import check_private_dir, ensure_own_dir, read_private, write_private

log = logging.getLogger("dwhkit")

_VERSION: str | None = None
MAX_STATEMENTS = 2000          # a bound on the file, whatever warehouses a user defines


def code_version() -> str:
    """A digest of what decides a translation: dwhkit/compat's sources and sqlglot's version."""
    global _VERSION
    if _VERSION is None:
        digest = hashlib.sha256()
        for path in sorted(Path(__file__).parent.glob("*.py")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        try:
            digest.update(metadata.version("sqlglot").encode())
        except metadata.PackageNotFoundError:
            digest.update(b"sqlglot ?")
        _VERSION = digest.hexdigest()
    return _VERSION


def default_path() -> Path | None:
    configured = os.environ.get("DWH_TRANSLATION_CACHE", "")
    if configured.lower() == "off":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dwhkit" / "translations.json"


class TranslationStore:
    """The kept translations of ``owned`` statements (their exact texts)."""

    def __init__(self, path: Path | None, owned):
        self.path = path
        self.owned = frozenset(owned)
        self._lock = threading.Lock()
        self._changed = False
        self._entries: dict[str, dict] = self._read() if path is not None else {}

    @classmethod
    def for_statements(cls, owned) -> "TranslationStore":
        return cls(default_path(), owned)

    def _read(self) -> dict[str, dict]:
        try:
            if self.path.parent.exists():
                check_private_dir(self.path.parent, "the folder of kept translations")
            data = json.loads(read_private(self.path) or "{}")
        except DwhError as exc:
            log.warning("kept translations not used: %s", exc)
            self.path = None            # nor written: the folder or file is not ours alone
            return {}
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != code_version():
            return {}
        entries = data.get("statements")
        return entries if isinstance(entries, dict) else {}

    def tables(self, sql: str):
        """The (schema, table) pairs ``sql`` names, as recorded; None when not kept."""
        entry = self._entries.get(sql) if sql in self.owned else None
        return None if entry is None else tuple((s, t) for s, t in entry["tables"])

    def get(self, sql: str, answers: tuple) -> list[str] | None:
        entry = self._entries.get(sql) if sql in self.owned else None
        if entry is None:
            return None
        out = entry["out"].get(_key(answers))
        return None if out is None else list(out)

    def put(self, sql: str, tables: tuple, answers: tuple, out: list[str]) -> None:
        if sql not in self.owned:
            return
        with self._lock:
            entry = self._entries.setdefault(sql, {"tables": [list(t) for t in tables], "out": {}})
            entry["out"] = {_key(answers): list(out)}      # the newest column types only
            self._changed = True

    def save(self) -> None:
        """Write the file if anything new was translated (best effort: see the module docstring)."""
        if self.path is None or not self._changed:
            return
        with self._lock:
            entries = dict(list(self._entries.items())[-MAX_STATEMENTS:])
            body = json.dumps({"version": code_version(), "statements": entries}, separators=(",", ":"))
            self._changed = False
        try:
            ensure_own_dir(self.path.parent, 0o700, "the folder of kept translations")
            write_private(self.path, body)
        except DwhError as exc:
            log.warning("kept translations not written: %s", exc)
        except OSError:
            pass


def _key(answers: tuple) -> str:
    return json.dumps(answers, separators=(",", ":"))
