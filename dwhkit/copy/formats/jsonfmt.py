"""COPY ... FORMAT AS JSON: the record stream rules of §2 and the 'auto' / 'auto ignorecase' /
jsonpaths mappings.

Why this shape: nearly every real JSON file is one object per line, so the fast path hands each
line to msgspec (C) once and never looks at characters in Python. Only a line that does not parse
alone (objects spanning lines, ``}{`` on one line, junk between records) falls back to a small
bracket-matching scanner that uses regex jumps, and then returns to the fast path. msgspec is used
rather than orjson because orjson silently turns integers beyond 64 bits into floats, which would
hide bigint overflow errors.
"""
from __future__ import annotations

import re
from typing import Iterator

import msgspec

from ...errors import CopyError
from . import MAX_RECORD, TOO_LONG, RecordError, TooDeep, too_long

_msgspec_decode = msgspec.json.Decoder().decode
_DecodeError = msgspec.DecodeError
_SPLIT = re.compile(rb'[{}\[\]",]')
_PAIRS = {ord("}"): ord("{"), ord("]"): ord("[")}


def _decode(raw: bytes):
    """msgspec's decode; a document nested deeper than its recursion limit is decoded member by
    member (``_decode_deep``) instead of raising RecursionError out of the COPY."""
    try:
        return _msgspec_decode(raw)
    except RecursionError:
        return _decode_deep(raw)


def _decode_deep(raw: bytes):
    """An object whose members are decoded one by one; a member still too deep stays a
    ``TooDeep``. Bracket matching and strings are checked iteratively, so malformed input is a
    DecodeError as from msgspec, and no depth can exhaust the stack."""
    s = raw.strip()
    if s[:1] != b"{":
        raise _DecodeError("JSON nested too deeply (a top-level array)")
    stack: list[int] = []
    members, start, pos, end = [], 1, 1, None
    while end is None:
        m = _SPLIT.search(s, pos)
        if m is None:
            raise _DecodeError("truncated JSON object")
        c, pos = s[m.start()], m.end()
        if c == 34:                                  # '"': skip the string
            while True:
                q = _STR_END.search(s, pos)
                if q is None:
                    raise _DecodeError("unterminated string")
                pos = q.end() + (1 if q.group() == b"\\" else 0)
                if q.group() == b'"':
                    break
        elif c in (123, 91):
            stack.append(c)
        elif c == 44:
            if not stack:
                members.append(s[start:m.start()])
                start = pos
        elif stack:
            if stack.pop() != _PAIRS[c]:
                raise _DecodeError("mismatched brackets")
        elif c == 125:
            members.append(s[start:m.start()])
            end = pos
        else:
            raise _DecodeError("mismatched brackets")
    if s[end:].strip():
        raise _DecodeError("trailing characters after the object")
    out = {}
    if len(members) == 1 and not members[0].strip():
        return out
    for member in members:
        member = member.strip()
        q = _STR_END.search(member, 1) if member[:1] == b'"' else None
        while q is not None and q.group() == b"\\":
            q = _STR_END.search(member, q.end() + 1)
        if q is None:
            raise _DecodeError("expected a key")
        key = _msgspec_decode(member[:q.end()])
        rest = member[q.end():].lstrip()
        if rest[:1] != b":":
            raise _DecodeError("expected ':'")
        value = rest[1:]
        try:
            out[key] = _msgspec_decode(value)
        except RecursionError:
            out[key] = TooDeep(value.strip())
    return out
_WS = re.compile(rb"[ \t\r\n\f\v]*")
_JUNK = re.compile(rb"[^ \t\r\n\f\v{\[]+")
_STRUCT = re.compile(rb'[{}\[\]"]')
_STR_END = re.compile(rb'["\\]')


def _junk(lineno: int, raw: bytes):
    text = raw.decode("utf-8", "replace")
    return lineno, raw, RecordError(1216, f"Invalid JSON: unexpected characters '{text[:40]}' between records "
                                    "(only whitespace may separate JSON objects)", text)


def _parsed(lineno: int, raw: bytes, fix=None):
    try:
        obj = _decode(raw)
    except _DecodeError as exc:
        if fix is not None:
            try:
                return lineno, raw, _decode(fix(raw))
            except _DecodeError:
                pass
        return lineno, raw, RecordError(1216, f"Invalid JSON object: {exc}", raw.decode("utf-8", "replace"))
    if type(obj) is not dict and type(obj) is not list:
        return _junk(lineno, raw)
    return lineno, raw, obj


class _Scanner:
    """Finds root objects/arrays and junk in lines that the fast path could not parse alone.

    Memory is bounded and work linear: each piece of input is scanned once, from where the last
    one stopped (bracket depth, string and escape state carry over); an open record's pieces are
    kept in a list and joined once, when it closes. A record still open after MAX_RECORD bytes is
    no longer kept — only its first 1 KB — and when it closes it becomes one ``TOO_LONG`` error
    (file, last line) instead of a parse. Input may be fed in pieces that are not whole lines (an
    endless line is fed as it arrives)."""

    def __init__(self, lineno: int):
        self.line = lineno          # line number of the next piece's first byte
        self.open = False           # inside a record
        self.parts: list = []       # the open record's bytes so far (unless over)
        self.size = 0
        self.first_line = lineno    # line number of the open record's first byte
        self.depth = 0
        self.in_str = False
        self.escaped = False        # a backslash ended the last piece inside a string
        self.over = None            # raw head of a record being skipped because it is too long

    def feed(self, piece: bytes, fix) -> tuple[list, bool]:
        """Scan more input (usually one physical line with its newline); return (events, idle)
        where idle means the scanner holds no partial record and the fast path may resume."""
        out, n = [], len(piece)
        pos = start = 0
        if self.escaped and n:
            pos, self.escaped = 1, False
        while True:
            if not self.open:
                pos = _WS.match(piece, pos).end()
                if pos >= n:
                    break
                if piece[pos] in b"{[":
                    self.open, self.depth, self.in_str, start = True, 0, False, pos
                    self.first_line = self.line + piece.count(b"\n", 0, pos)
                else:
                    m = _JUNK.match(piece, pos)
                    out.append(_junk(self.line + piece.count(b"\n", 0, pos), m.group()[:1024]))
                    pos = m.end()
                    continue
            if self.in_str:
                m = _STR_END.search(piece, pos)
                if m is None:
                    pos = n
                    break
                if m.group() == b"\\":
                    pos = m.end() + 1
                    if pos > n:
                        self.escaped, pos = True, n
                        break
                    continue
                self.in_str = False
                pos = m.end()
                continue
            m = _STRUCT.search(piece, pos)
            if m is None:
                pos = n
                break
            c = m.group()
            pos = m.end()
            if c == b'"':
                self.in_str = True
            elif c in b"{[":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth == 0:
                    lineno = self.line + piece.count(b"\n", 0, pos)
                    if self.over is not None or self.size + pos - start > MAX_RECORD:
                        head = self.over if self.over is not None else \
                            b"".join(self.parts + [piece[start:start + 1024]])[:1024]
                        out.append((lineno, head, RecordError(TOO_LONG, too_long("JSON object"),
                                                              head.decode("utf-8", "replace"))))
                    else:
                        raw = b"".join(self.parts + [piece[start:pos]]) if self.parts else piece[start:pos]
                        out.append(_parsed(lineno, raw, fix))
                    self.open, self.parts, self.size, self.over = False, [], 0, None
        if self.open:
            tail = piece[start:]
            if self.over is None and self.size + len(tail) > MAX_RECORD:
                # too long: remember its head, drop the bytes, keep scanning for its end
                self.over = b"".join(self.parts + [tail[:1024]])[:1024]
                self.parts = []
            elif self.over is None:
                self.parts.append(tail)
            self.size += len(tail)
        self.line += piece.count(b"\n")
        return out, not self.open

    def finish(self) -> list:
        if not self.open:
            return []
        if self.over is not None:
            raw = self.over
            return [(self.line, raw, RecordError(TOO_LONG, too_long("JSON object"), raw.decode("utf-8", "replace")))]
        raw = b"".join(self.parts).rstrip()
        return [(self.first_line + raw.count(b"\n"), raw,
                 RecordError(1216, "Invalid JSON object: unterminated at end of file", raw.decode("utf-8", "replace")))]


def records(lines_chunks: Iterator[bytes], *, skip_lines: int = 0, fix=None, stats=None):
    """Yield ``(line_number, raw_bytes, obj | RecordError)`` for each root value of the stream.

    ``line_number`` is the record's last line (as Redshift reports it); ``skip_lines`` is
    IGNOREHEADER (physical lines). ``fix`` repairs invalid UTF-8 for ACCEPTINVCHARS.
    """
    lineno = 0
    carry = b""
    scanner = None
    for chunk in lines_chunks:
        data = carry + chunk if carry else chunk
        lines = data.split(b"\n")
        carry = lines.pop()
        for line in lines:
            lineno += 1
            if lineno <= skip_lines:
                continue
            if scanner is None and len(line) <= MAX_RECORD:
                if not line.isascii():
                    # msgspec does not validate UTF-8 inside strings: check here, so a bad byte is
                    # one record's 1220 error (or, under ACCEPTINVCHARS, replaced), as on Redshift
                    try:
                        line.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        if fix is None:
                            yield lineno, line, RecordError(
                                1220, f"Invalid UTF-8 byte 0x{line[exc.start]:02x} at position {exc.start}",
                                line.decode("utf-8", "replace"), exc.start)
                            continue
                        line = fix(line)
                try:
                    obj = _decode(line)
                    if type(obj) is dict or type(obj) is list:
                        yield lineno, line, obj
                        continue
                except _DecodeError:
                    pass
                s = line.strip()
                if not s:
                    continue
                if s[-1:] == b"," and s[:1] == b"{":          # the STEDI v2022 '},' lines, fast
                    try:
                        obj = _decode(s[:-1])
                        if type(obj) is dict:
                            yield lineno, s[:-1], obj
                            yield _junk(lineno, b",")
                            continue
                    except _DecodeError:
                        pass
                scanner = _Scanner(lineno)
            if scanner is None:
                scanner = _Scanner(lineno)
            events, idle = scanner.feed(line + b"\n", fix)
            yield from events
            if idle:
                scanner = None
        if len(carry) > MAX_RECORD:
            # a line that does not end: scan what there is rather than buffer it (bounded memory)
            if lineno + 1 > skip_lines:
                if scanner is None:
                    scanner = _Scanner(lineno + 1)
                events, idle = scanner.feed(carry, fix)
                yield from events
                if idle:
                    scanner = None
            carry = b""
    if carry:
        lineno += 1
        if lineno > skip_lines:
            if scanner is None:
                scanner = _Scanner(lineno)
            events, _ = scanner.feed(carry + b"\n", fix)
            yield from events
    if scanner is not None:
        yield from scanner.finish()
    if stats is not None:
        stats["lines"] = lineno


# ------------------------------------------------------------------------------------ mappings
_MEMBER_NOT_OBJECT = "Invalid JSONPath format: Member is not an object."
_INDEX = "Invalid JSONPath format: Not an array or index out of range."


def auto_mapper(names: list[str], ignorecase: bool):
    """'auto': top-level keys equal to the (lower-case) column names; 'auto ignorecase' folds
    the keys' case (AMBIG: two keys differing only in case → the later one wins)."""
    names = list(names)
    if ignorecase:
        lnames = [n.lower() for n in names]

        def ic(obj):
            if type(obj) is not dict:
                raise RecordError(1216, _MEMBER_NOT_OBJECT)
            low = {k.lower(): v for k, v in obj.items()}
            return list(map(low.get, lnames))
        return ic

    def auto(obj):
        if type(obj) is not dict:
            raise RecordError(1216, _MEMBER_NOT_OBJECT)
        return list(map(obj.get, names))
    return auto


_DOT = re.compile(r"\.([^.\[\]'\"]+)")
_BRACKET_KEY = re.compile(r"\[\s*(?:'([^']*)'|\"([^\"]*)\")\s*\]")
_BRACKET_IDX = re.compile(r"\[\s*(\d+)\s*\]")


def parse_jsonpaths(raw: bytes, url: str) -> list[tuple] | None:
    """A jsonpaths file → one step tuple per expression (str = key, int = array index).
    ``None`` when the top-level key is not "jsonpaths" (§2: then 'auto' is used). Any defect
    fails the COPY naming the file; MAXERROR does not apply."""
    def bad(why):
        return CopyError(f"Invalid JSONPath file {url}: {why}")
    try:
        doc = msgspec.json.decode(raw.removeprefix(b"\xef\xbb\xbf"))
    except msgspec.DecodeError as exc:
        raise bad(f"malformed JSON ({exc}); it must hold exactly one object {{\"jsonpaths\": [...]}}") from None
    if not isinstance(doc, dict):
        raise bad("the file must hold one JSON object")
    if "jsonpaths" not in doc:
        return None
    paths = doc["jsonpaths"]
    if not isinstance(paths, list) or not paths:
        raise bad("\"jsonpaths\" must be a non-empty array of strings")
    out = []
    for i, expr in enumerate(paths):
        if not isinstance(expr, str) or not expr.strip():
            raise bad(f"element {i} is empty or not a string")
        out.append(_compile_path(expr.strip(), bad))
    return out


def _compile_path(expr: str, bad) -> tuple:
    if not expr.startswith("$"):
        raise bad(f"'{expr}' must start with $")
    steps, pos, forms = [], 1, set()
    while pos < len(expr):
        for rx, form in ((_DOT, "dot"), (_BRACKET_KEY, "bracket"), (_BRACKET_IDX, "index")):
            m = rx.match(expr, pos)
            if m:
                break
        else:
            raise bad(f"'{expr}' is not a valid JSONPath expression at offset {pos} "
                      "(wildcards and filters are not supported)")
        if form == "index":
            steps.append(int(m.group(1)))
        else:
            key = m.group(1) if m.group(1) is not None else m.group(2)
            if form == "dot" and "*" == key:
                raise bad(f"'{expr}': wildcards are not supported")
            steps.append(key)
            forms.add(form)
        pos = m.end()
    if len(forms) > 1:
        raise bad(f"'{expr}' mixes dot and bracket notation")
    return tuple(steps)


def path_mapper(paths: list[tuple]):
    """jsonpaths: the n-th expression feeds the n-th column. A missing key gives NULL; an array
    index out of range (or indexing a non-array) is a load error with Redshift's message (AMBIG:
    §2 says 'COPY fails' — with the default MAXERROR 0 it does; under MAXERROR n it counts as one
    rejected record, like any other bad record)."""
    flat = all(len(p) == 1 and type(p[0]) is str for p in paths)
    if flat:
        keys = [p[0] for p in paths]

        def flat_map(obj):
            if type(obj) is not dict:
                raise RecordError(1216, _MEMBER_NOT_OBJECT)
            return list(map(obj.get, keys))
        return flat_map

    def get(obj, steps):
        v = obj
        for st in steps:
            if type(st) is int:
                if type(v) is not list or st >= len(v):
                    if v is None:
                        return None
                    raise RecordError(1216, _INDEX)
                v = v[st]
            else:
                if type(v) is not dict:
                    return None
                v = v.get(st)
                if v is None:
                    return None
        return v

    def deep_map(obj):
        return [get(obj, p) for p in paths]
    return deep_map
