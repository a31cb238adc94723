"""Delimited text (pipe by default), CSV and FIXEDWIDTH inputs.

Why this shape: the common cases (no ESCAPE, no REMOVEQUOTES) split a line with ``str.split``
and CSV uses the C ``csv`` module, so per-field Python work is limited to NULL/field-count
handling; the slower character scanners run only for ESCAPE and REMOVEQUOTES. Values leave this
module as strings (or ``None`` for NULL); type conversion happens in ``dwhkit.copy.convert``.

Decisions (AMBIG in §4, tested):
- Without IGNOREBLANKLINES an empty line is a record with one empty field: it loads into a
  one-column table and is error 1214 ('Delimiter not found') otherwise, unless FILLRECORD.
- One trailing delimiter is tolerated (``1|a|`` into two columns), as the AWS example implies.
- CSV: whitespace before an opening quote is not skipped (Python's csv module keeps it).
"""
from __future__ import annotations

import csv
import re

from ...errors import CopySyntaxError
from . import MAX_RECORD, TOO_LONG, RecordError, too_long

# the csv module refuses a field over 128 KB; Redshift's only limit is the record's (4 MB), and a
# field over a column's length is that column's error (1204), not a parse error
if csv.field_size_limit() < MAX_RECORD + 1024:
    csv.field_size_limit(MAX_RECORD + 1024)

_OCTAL = re.compile(r"\\([0-7]{3})\Z")


def _one_char(value: str | None, default: str, name: str) -> str:
    if value is None:
        return default
    m = _OCTAL.match(value)
    if m:
        value = chr(int(m.group(1), 8))
    if len(value) != 1 or not value.isascii():
        raise CopySyntaxError(f"{name} must be a single ASCII character (or '\\ddd' octal), got {value!r}")
    return value


class TextParser:
    """TEXT (delimited), CSV and FIXEDWIDTH records split into fields (see the ``Format`` protocol)."""

    from_json = False
    strict = False
    streamed = True

    def __init__(self, cmd, cols):
        fmt = (cmd.format or "TEXT").upper()
        self.kind = fmt
        self.ncols = len(cols)
        if fmt == "CSV":
            for flag, name in ((cmd.removequotes, "REMOVEQUOTES"), (cmd.escape, "ESCAPE"),
                               (cmd.fixedwidth_spec, "FIXEDWIDTH")):
                if flag:
                    raise CopySyntaxError(f"CSV cannot be used with {name}")
            self.delim = _one_char(cmd.delimiter, ",", "DELIMITER")
            self.quote = _one_char(cmd.quote, '"', "QUOTE")
        elif fmt == "FIXEDWIDTH":
            if cmd.delimiter or cmd.escape:
                raise CopySyntaxError("FIXEDWIDTH cannot be used with DELIMITER or ESCAPE")
            self.widths = _fixed_widths(cmd.fixedwidth_spec or "", self.ncols)
            self.delim = None
        else:
            if cmd.quote:
                raise CopySyntaxError("QUOTE can only be used with CSV")
            self.delim = _one_char(cmd.delimiter, "|", "DELIMITER")
        self.file_format = "Text"
        self.mapper = None
        self.null_as = cmd.null_as if cmd.null_as is not None else "\\N"
        if self.null_as in ("\\0", "\\000"):
            self.null_as = "\x00"
        self.escape = cmd.escape
        self.removequotes = cmd.removequotes
        self.fillrecord = cmd.fillrecord
        self.ignoreblank = cmd.ignoreblanklines
        self.skip = cmd.ignoreheader or 0
        self.acceptinv = cmd.acceptinvchars

    # ------------------------------------------------------------------ lines
    def _lines(self, chunks, stats, keep_cr=False):
        """Decoded physical lines without their LF (a CR before it is dropped too: CRLF files —
        except for CSV, whose quoted fields may hold CRLF), numbered from 1, after IGNOREHEADER.
        Invalid UTF-8: error 1220 or ACCEPTINVCHARS."""
        strip_cr = not keep_cr
        lineno = 0
        carry = b""
        skip = self.skip
        long_head = None            # first bytes of a line past MAX_RECORD, whose rest is dropped
        for chunk in chunks:
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                if len(carry) > MAX_RECORD:         # never buffer more of one line than this
                    if long_head is None:
                        long_head = carry[:1024]
                    carry = b""
                continue
            if long_head is not None:               # the over-long line ends here: one error
                first = data.find(b"\n")
                data = data[first + 1:]
                cut -= first + 1
                lineno += 1
                if lineno > skip:
                    yield lineno, self._too_long(long_head)
                long_head = None
                if cut < 0:
                    carry = data
                    continue
            carry = data[cut + 1:]
            block = data[:cut]
            try:
                lines = block.decode("utf-8").split("\n")
                bad = None
            except UnicodeDecodeError:
                lines, bad = block.split(b"\n"), True
            big = len(block) > MAX_RECORD
            for line in lines:
                lineno += 1
                if lineno <= skip:
                    continue
                if big and len(line) > MAX_RECORD // 4 and \
                        len(line if bad else line.encode()) > MAX_RECORD:
                    yield lineno, self._too_long(line[:1024] if bad else line[:1024].encode())
                    continue
                if bad:
                    line = self._decode(line)
                if strip_cr and type(line) is str and line[-1:] == "\r":
                    line = line[:-1]
                yield lineno, line
        if long_head is not None:
            lineno += 1
            if lineno > skip:
                yield lineno, self._too_long(long_head)
        elif carry:
            lineno += 1
            if lineno > skip:
                line = self._decode(carry)
                if strip_cr and type(line) is str and line[-1:] == "\r":
                    line = line[:-1]
                yield lineno, line
        stats["lines"] = lineno

    @staticmethod
    def _too_long(head: bytes) -> RecordError:
        text = head.decode("utf-8", "replace")
        return RecordError(TOO_LONG, too_long(), text)

    def _decode(self, raw: bytes):
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            if self.acceptinv is None:
                return RecordError(1220, f"Invalid or unsupported UTF-8 code point: {exc.reason} "
                                   f"(byte 0x{raw[exc.start]:02x}); use ACCEPTINVCHARS",
                                   raw.decode("utf-8", "replace"), exc.start)
            rep = self.acceptinv or "?"
            text = raw.decode("utf-8", "surrogateescape")
            return re.sub("[\udc80-\udcff]", rep, text)

    # ---------------------------------------------------------------- records
    def records(self, chunks, f, stats):
        if self.kind == "CSV":
            return self._csv(self._lines(chunks, stats, keep_cr=True))
        lines = self._lines(chunks, stats)
        return self._delimited(lines)

    def _fields_done(self, fields: list, raw):
        """NULL AS, trailing delimiter, FILLRECORD and the field count check."""
        n = self.ncols
        if len(fields) != n:
            if len(fields) == n + 1 and fields[-1] == "":
                fields.pop()
            elif len(fields) > n:
                return RecordError(1202, f"Extra column(s) found ({len(fields)} fields, {n} columns)", raw)
            elif self.fillrecord:
                fields.extend([""] * (n - len(fields)))
            else:
                return RecordError(1214, f"Delimiter not found ({len(fields)} fields, {n} columns)", raw)
        null = self.null_as
        if null in fields:
            fields = [None if x == null else x for x in fields]
        return fields

    def _delimited(self, lines):
        delim, done = self.delim, self._fields_done
        escape, removequotes, ignoreblank = self.escape, self.removequotes, self.ignoreblank
        fixed = self.kind == "FIXEDWIDTH"
        # ESCAPE: the lines of a record continued after escaped newlines, joined once at its end;
        # past MAX_RECORD only the head is kept and the rest skipped up to the record's last line,
        # which is then one TOO_LONG error (escaped newlines cannot grow a record forever)
        pending, pending_len, over = None, 0, None
        for lineno, line in lines:
            if type(line) is RecordError:
                yield lineno, line.value, line
                continue
            if pending is not None:
                continued = _odd_backslashes_at_end(line)
                if over is None and pending_len + len(line) > MAX_RECORD:
                    over = "\n".join(pending + [line])[:1024]
                    pending = []
                if over is not None:
                    if not continued:
                        yield lineno, over, RecordError(TOO_LONG, too_long(), over)
                        pending, pending_len, over = None, 0, None
                    continue
                if continued:
                    pending.append(line[:-1])
                    pending_len += len(line)
                    continue
                line = "\n".join(pending + [line])
                pending, pending_len = None, 0
            elif not line and ignoreblank:
                continue
            if fixed:
                fields = self._fixed(line)
            elif escape:
                if _odd_backslashes_at_end(line):
                    pending, pending_len = [line[:-1]], len(line)
                    continue
                fields = self._split_escaped(line)
                if type(fields) is RecordError:
                    yield lineno, line, fields
                    continue
            elif removequotes:
                fields = self._split_quoted(line)
                if type(fields) is RecordError:
                    yield lineno, line, fields
                    continue
            else:
                fields = line.split(delim)
            yield lineno, line, done(fields, line)
        if pending is not None:
            raw = over if over is not None else "\n".join(pending)
            yield lineno, raw, RecordError(1216, "Escaped newline at end of file", raw)

    def _fixed(self, line: str) -> list:
        out, pos = [], 0
        for w in self.widths:
            out.append(line[pos:pos + w])
            pos += w
        if len(line) > pos:
            out.append(line[pos:])          # → 'Extra column(s) found' unless blank
            if not out[-1].strip():
                out.pop()
        return out

    def _split_escaped(self, line: str):
        """ESCAPE: '\\' makes the next character literal; the default null string also matches
        '\\\\N' (§4); octal is not decoded. Null detection happens on the raw field. With
        REMOVEQUOTES too (how UNLOAD … ADDQUOTES ESCAPE output reloads), a field opening with an
        unescaped ' or " loses its quotes and may hold delimiters up to the closing quote."""
        delim, null, removequotes = self.delim, self.null_as, self.removequotes
        fields, cur, raw_cur, i, n = [], [], [], 0, len(line)
        raw_nulls = {null, "\\\\N"} if null == "\\N" else {null}
        quote, at_start = None, True
        while i < n:
            ch = line[i]
            if ch == "\\" and i + 1 < n:
                cur.append(line[i + 1])
                raw_cur.append(line[i:i + 2])
                i += 2
                at_start = False
                continue
            if removequotes and at_start and ch in "'\"":
                quote, at_start = ch, False
            elif quote is not None and ch == quote:
                quote = None
            elif ch == delim and quote is None:
                raw = "".join(raw_cur)
                fields.append(_NullMark if raw in raw_nulls else "".join(cur))
                cur, raw_cur, at_start = [], [], True
            else:
                cur.append(ch)
                raw_cur.append(ch)
                at_start = False
            i += 1
        if quote is not None:
            return RecordError(1216, "Unterminated quoted field (REMOVEQUOTES)", line, i)
        raw = "".join(raw_cur)
        fields.append(_NullMark if raw in raw_nulls else "".join(cur))
        return [None if x is _NullMark else x for x in fields]

    def _split_quoted(self, line: str):
        """REMOVEQUOTES: a field wrapped in ' or " loses the quotes and may hold delimiters."""
        delim = self.delim
        fields, i, n = [], 0, len(line)
        while True:
            if i < n and line[i] in "'\"":
                q = line[i]
                j = line.find(q, i + 1)
                if j < 0:
                    return RecordError(1216, "Unterminated quoted field (REMOVEQUOTES)", line, i)
                field = line[i + 1:j]
                k = line.find(delim, j + 1)
                if k < 0:
                    fields.append(field + line[j + 1:])
                    return fields
                fields.append(field + line[j + 1:k])
                i = k + 1
            else:
                k = line.find(delim, i)
                if k < 0:
                    fields.append(line[i:])
                    return fields
                fields.append(line[i:k])
                i = k + 1

    def _csv(self, lines):
        """CSV through the C csv module; quoted fields may span lines. A record's line number is
        its last physical line; raw_line is the record's text.

        A quoted field may hold newlines, so a record can run over many lines: past MAX_RECORD
        its lines are no longer kept or parsed — only the first 1 KB — and, by the parity of the
        quote characters (a doubled quote counts twice), the line that closes the field is found;
        the reader is then handed a closing quote and the record becomes one TOO_LONG error at
        that line. The rest of the field is never read as records of its own."""
        state = {"lineno": 0, "raw": [], "size": 0, "odd": False, "over": None}
        errors = []
        quote = self.quote

        def physical():
            for lineno, line in lines:
                if type(line) is RecordError:
                    errors.append((lineno, line))
                    continue
                if self.ignoreblank and not state["raw"] and state["over"] is None and (not line or line == "\r"):
                    continue
                state["lineno"] = lineno
                if line.count(quote) & 1:
                    state["odd"] = not state["odd"]
                if state["over"] is not None:
                    if not state["odd"]:
                        yield quote + "\n"          # the over-long field ends on this line
                    continue
                state["size"] += len(line) + 1
                if state["odd"] and state["size"] > MAX_RECORD:
                    state["over"] = "\n".join(state["raw"] + [line])[:1024]
                    state["raw"] = []
                    continue
                state["raw"].append(line)
                yield line + "\n"

        def reset():
            raw = state["over"] if state["over"] is not None else "\n".join(state["raw"])
            state.update(raw=[], size=0, odd=False, over=None)
            return raw

        reader = csv.reader(physical(), delimiter=self.delim, quotechar=self.quote, doublequote=True,
                            strict=True)
        done = self._fields_done
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                too_long_field = state["over"] is not None
                raw = reset()
                yield state["lineno"], raw, RecordError(TOO_LONG, too_long(), raw) if too_long_field else \
                    RecordError(1216, f"Invalid CSV record: {exc}", raw)
                continue
            finally:
                while errors:
                    ln, err = errors.pop(0)
                    yield ln, err.value, err
            if state["over"] is not None:
                raw = reset()
                yield state["lineno"], raw, RecordError(TOO_LONG, too_long(), raw)
                continue
            raw = reset().rstrip("\r")
            if not fields:                       # an empty line
                fields = [""]
            yield state["lineno"], raw, done(fields, raw)

    def position(self, raw, idx) -> int:
        """0-based byte offset of field ``idx`` in the line (what Redshift clusters report)."""
        if not isinstance(raw, str) or idx is None:
            return 0
        if self.kind == "FIXEDWIDTH":
            return len(raw[:sum(self.widths[:idx])].encode())
        parts = raw.split(self.delim)
        return sum(len(p.encode()) + 1 for p in parts[:idx])


class _NullMarkType:
    pass


_NullMark = _NullMarkType()


def _odd_backslashes_at_end(line: str) -> bool:
    n = len(line) - len(line.rstrip("\\"))
    return n % 2 == 1


def _fixed_widths(spec: str, ncols: int) -> list[int]:
    widths = []
    for part in spec.split(","):
        label, sep, width = part.strip().rpartition(":")
        if not sep or not width.strip().isdigit() or int(width) <= 0:
            raise CopySyntaxError(f"FIXEDWIDTH spec {spec!r}: each entry must be 'label:width'")
        widths.append(int(width))
    if len(widths) != ncols:
        raise CopySyntaxError(f"FIXEDWIDTH spec has {len(widths)} columns, the target takes {ncols}")
    return widths
