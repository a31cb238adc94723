"""psycopg2 parameter placeholders (``%s``, ``%(name)s``, and ``%%`` for a literal ``%``) through
translation.

sqlglot reads ``%s`` as the modulo operator followed by a column ``s``, so wherever ``%`` may
mean something else the placeholder is lost: ``SELECT TOP 1 %s`` became ``SELECT s LIMIT 1
PERCENT`` (TOP's ``%`` is read as PERCENT). So placeholders never reach sqlglot: each becomes a
named placeholder (``:dwhkit_p0`` for the first ``%s``, ``:name`` for ``%(name)s``) that sqlglot
parses as a value everywhere, and comes back after generation. Positional ``%s`` only survive
if the translation keeps them in order and once each; transforms that reorder or repeat their
arguments (DATEDIFF, DATEADD, DECODE, CONVERT_TIMEZONE…) would bind the wrong values, so that
is refused, asking for named placeholders. Literals, quoted identifiers and comments are left
alone (split.code_parts).
"""
from __future__ import annotations

import bisect
import re

from dwhkit.compat.split import code_parts
from dwhkit.errors import TranslateError

_IN = re.compile(r"%\((?P<name>[A-Za-z_][A-Za-z0-9_]*)\)s|%(?P<s>s)|%%")
_POSITIONAL = "dwhkit_p"


class Placeholders:
    """One statement's placeholders: ``protected`` is the text sqlglot may read."""

    def __init__(self, text: str):
        self.count = 0                    # positional %s seen
        self.names: set[str] = set()      # %(name)s seen
        self._edits: list[tuple[int, int, int, int]] = []   # (new start, new len, old start, old len)
        out, shift = [], 0
        for a, b, code in code_parts(text):
            if not code:
                out.append(text[a:b])
                continue
            last = a
            for m in _IN.finditer(text, a, b):
                if m.group("s"):
                    new = f":{_POSITIONAL}{self.count}"
                    self.count += 1
                elif m.group("name"):
                    new = f":{m.group('name')}"
                    self.names.add(m.group("name"))
                else:
                    new = "%"
                out.append(text[last:m.start()])
                self._edits.append((m.start() + shift, len(new), m.start(), m.end() - m.start()))
                out.append(new)
                shift += len(new) - (m.end() - m.start())
                last = m.end()
            out.append(text[last:b])
        self.protected = "".join(out)
        self.any = bool(self.count or self.names)
        ours = "|".join([rf"{_POSITIONAL}\d+"] + [re.escape(n) for n in sorted(self.names, key=len, reverse=True)])
        # what sqlglot writes for a named placeholder, what raw statements keep, and a lone %
        self._back = re.compile(rf"%\((?P<a>{ours})\)s|(?<![:\w]):(?P<b>{ours})(?!\w)|%")

    def original_position(self, pos: int) -> int:
        """A 0-based offset in ``protected`` → the same spot in the statement as written."""
        i = bisect.bisect_right([e[0] for e in self._edits], pos) - 1
        if i < 0:
            return pos
        new_start, new_len, old_start, old_len = self._edits[i]
        if pos < new_start + new_len:
            return old_start
        return old_start + old_len + pos - new_start - new_len

    def restore(self, outputs: tuple[str, ...]) -> tuple[str, ...]:
        """Put the placeholders back into the translated statements (``%`` doubled when the
        statement takes parameters, as psycopg2 then requires)."""
        if not self.any:
            return outputs
        order: list[int] = []

        def back(m: re.Match) -> str:
            name = m.group("a") or m.group("b")
            if name is None:
                return "%%"
            if name.startswith(_POSITIONAL) and name[len(_POSITIONAL):].isdigit():
                order.append(int(name[len(_POSITIONAL):]))
                return "%s"
            return f"%({name})s"

        restored = tuple("".join(self._back.sub(back, sql[a:b]) if code else sql[a:b]
                                 for a, b, code in code_parts(sql)) for sql in outputs)
        if order != list(range(self.count)):
            raise TranslateError(
                "this statement's Postgres form uses its %s parameters in another order or more than once "
                "(functions like DATEDIFF, DATEADD, DECODE and CONVERT_TIMEZONE rearrange their arguments), "
                "so positional parameters would bind the wrong values: use named placeholders, "
                "%(name)s with a dict of parameters")
        return restored
