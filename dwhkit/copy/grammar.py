"""Our own grammar for Redshift's COPY and COPY JOB statements.

sqlglot mis-pairs COPY's flag options (and cannot parse UNLOAD), so dwhkit tokenizes these
statements itself and reads their options from one table: keyword -> how its argument looks ->
which field it fills. What Redshift refuses to combine is data too (``COPY_EXCLUSIVE``,
``COPY_REQUIRES``, ``COPY_ONLY``), checked after the whole statement is read.

Reference: https://docs.aws.amazon.com/redshift/latest/dg/r_COPY.html and
/work/shared/REDSHIFT-SEMANTICS.md §1-5, §9. ``unload_grammar`` reuses the machinery below.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from dwhkit.copy.options import CopyCommand, Credentials
from dwhkit.errors import CopySyntaxError, SourceLocated, UnsupportedError

__all__ = ["parse_copy", "is_copy_statement", "COPY_PARAMS"]

MASK = "***"

# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
      (?P<skip>\s+|--[^\n]*|/\*.*?\*/)
    | (?P<string>'(?:[^']|'')*')
    | (?P<qident>"(?:[^"]|"")+")
    | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
    | (?P<punct>[(),.;])
    | (?P<other>.)
    """,
    re.X | re.S,
)


@dataclass(frozen=True)
class Token:
    kind: str    # word | string | qident | number | punct | other | end
    value: str   # string/qident: content with doubled quotes undone; otherwise the text
    pos: int     # 0-based offset of the token's first character
    end: int

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.value.upper() in words

    def is_punct(self, char: str) -> bool:
        return self.kind == "punct" and self.value == char


def located(statement: str, sql: str, reason: str, pos: int | None, *, hint: str | None = None,
            hidden=(), error=CopySyntaxError) -> Exception:
    """``COPY: <reason> at line L, column C; did you mean X?`` and the line with a caret under
    the spot (``pos``: 0-based offset in ``sql``); secrets (``hidden``) are shown as ``***``."""
    suggestion = f"; did you mean {hint}?" if hint else ""
    if pos is None:
        return error(f"{statement}: {reason}{suggestion}", reason=reason, hint=hint, hidden=hidden)
    line, column, shown = SourceLocated.excerpt(sql, pos, hidden)
    return error(f"{statement}: {reason} at line {line}, column {column}{suggestion}\n{shown}",
                 reason=reason, position=pos, hint=hint, hidden=hidden)


# the argument after these keywords is a secret: an excerpt of the statement masks it
_SECRET_KEYWORDS = frozenset({"CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN",
                              "MASTER_SYMMETRIC_KEY"})


def secret_spans(tokens: list[Token]) -> list[tuple[int, int]]:
    """Where the secrets are: the token after a secret keyword (and its AS), whatever its kind."""
    spans = []
    for i, tok in enumerate(tokens):
        if tok.is_word(*_SECRET_KEYWORDS):
            j = i + 1 + (i + 1 < len(tokens) and tokens[i + 1].is_word("AS"))
            if j < len(tokens) and tokens[j].kind != "end":
                spans.append((tokens[j].pos, tokens[j].end))
    return spans


def _tokenize(sql: str, statement: str) -> list[Token]:
    """Split ``sql`` into tokens. Backslashes inside strings stay as written: COPY itself reads
    ``'\\t'`` and ``'\\ddd'`` (AMBIG: whether Redshift also takes ``\\'`` inside a literal; we
    only take the standard doubled quote)."""
    tokens = []
    for m in _TOKEN.finditer(sql):
        kind, text = m.lastgroup, m.group()
        if kind == "skip":
            continue
        if kind == "other" and text in "'\"":
            # never echo what follows: it may be a secret
            raise located(statement, sql, "unterminated quoted text", m.start(),
                          hidden=secret_spans(tokens) + [(m.start() + 1, len(sql))])
        if kind in ("string", "qident"):
            q = text[0]
            text = text[1:-1].replace(q + q, q)
        tokens.append(Token(kind, text, m.start(), m.end()))
    tokens.append(Token("end", "", len(sql), len(sql)))
    return tokens


def _describe(tok: Token) -> str:
    """A token for an error message. Strings are never quoted back: they may hold secrets."""
    if tok.kind == "end":
        return "the end of the statement"
    if tok.kind == "string":
        return "a quoted string"
    if tok.kind == "qident":
        return "a quoted identifier"
    if tok.kind == "word":
        return tok.value.upper()
    return repr(tok.value)


class TokenStream:
    """Walks the tokens of one statement; every error names the statement and a position."""

    def __init__(self, sql: str, statement: str):
        self.sql = sql
        self.statement = statement
        self.toks = _tokenize(sql, statement)
        self.i = 0
        self.read_all = False   # set by finish(): every token was read as what it is

    def peek(self, ahead: int = 0) -> Token:
        return self.toks[min(self.i + ahead, len(self.toks) - 1)]

    def take(self) -> Token:
        tok = self.peek()
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def error(self, message: str, at: Token | int | None = None, hint: str | None = None,
              error=CopySyntaxError) -> Exception:
        """``COPY: <message> at line L, column C[; did you mean X?]`` and the line, with a caret."""
        pos = at.pos if isinstance(at, Token) else at
        hidden = secret_spans(self.toks)
        if pos is not None and not self.read_all:
            # what follows an unread spot is unknown: a secret may sit behind a typo (FOO 'key')
            end = next((t.end for t in self.toks if t.pos == pos), pos)
            hidden.append((end, len(self.sql)))
        return located(self.statement, self.sql, message, pos, hint=hint, hidden=hidden, error=error)

    def word(self, *words: str) -> Token | None:
        """Take the next token if it is one of ``words`` (case-insensitive)."""
        return self.take() if self.peek().is_word(*words) else None

    def expect_word(self, *words: str, after: str = "") -> Token:
        tok = self.peek()
        if not tok.is_word(*words):
            where = f" after {after}" if after else ""
            hint = SourceLocated.closest(tok.value, words) if tok.kind == "word" else None
            raise self.error(f"expected {' or '.join(words)}{where}, found {_describe(tok)}", tok, hint)
        return self.take()

    def expect_punct(self, char: str, after: str) -> Token:
        tok = self.peek()
        if not tok.is_punct(char):
            raise self.error(f"expected '{char}' after {after}, found {_describe(tok)}", tok)
        return self.take()

    def string(self, keyword: str) -> str:
        tok = self.peek()
        if tok.kind != "string":
            # the found token is not described: an unquoted secret would be echoed
            raise self.error(f"{keyword} expects a quoted string", tok)
        return self.take().value

    def number(self, keyword: str) -> Token:
        tok = self.peek()
        if tok.kind != "number":
            raise self.error(f"{keyword} expects a number, found {_describe(tok)}", tok)
        return self.take()

    def identifier(self, what: str) -> Token:
        """An identifier, folded to lower case whether quoted or not (Redshift's default)."""
        tok = self.peek()
        if tok.kind not in ("word", "qident"):
            raise self.error(f"expected {what}, found {_describe(tok)}", tok)
        self.take()
        return Token(tok.kind, tok.value.lower(), tok.pos, tok.end)

    def identifier_list(self, what: str) -> tuple[str, ...]:
        """``( name [, name ...] )``"""
        self.expect_punct("(", what)
        names = [self.identifier("a column name").value]
        while self.peek().is_punct(","):
            self.take()
            names.append(self.identifier("a column name").value)
        self.expect_punct(")", f"the {what} list")
        return tuple(names)

    def at_end(self) -> bool:
        tok = self.peek()
        return tok.kind == "end" or tok.is_punct(";")

    def finish(self) -> None:
        """Only an optional ``;`` may follow: one statement at a time."""
        if self.peek().is_punct(";"):
            self.take()
        tok = self.peek()
        if tok.kind != "end":
            raise self.error(f"unexpected {_describe(tok)} (one statement at a time)", tok)
        self.read_all = True


# --------------------------------------------------------------------------------------------
# Argument shapes: each reads what follows a keyword and returns the value to store
# --------------------------------------------------------------------------------------------

Reader = Callable[[TokenStream, str], Any]


def flag(value: Any = True) -> Reader:
    """A bare keyword (``MANIFEST``); ``value`` is what it stores (``'GZIP'`` for compression)."""
    return lambda ts, kw: value


def string(as_: bool = False, check: Callable[[TokenStream, str, str, int], Any] | None = None) -> Reader:
    """``KW [AS] 'text'``; ``check(ts, kw, value, pos)`` validates/normalises the value."""

    def read(ts: TokenStream, kw: str) -> Any:
        if as_:
            ts.word("AS")
        pos = ts.peek().pos
        value = ts.string(kw)
        return check(ts, kw, value, pos) if check else value

    return read


def optional_string(default: str, as_: bool = False, check=None) -> Reader:
    """``KW [[AS] 'text']`` (JSON, AVRO, ACCEPTINVCHARS): ``default`` when no string follows."""
    inner = string(as_=False, check=check)

    def read(ts: TokenStream, kw: str) -> Any:
        if as_ and ts.word("AS"):
            return inner(ts, kw)
        if ts.peek().kind == "string":
            return inner(ts, kw)
        return check(ts, kw, default, ts.peek().pos) if check else default

    return read


def integer(as_: bool = False, lo: int = 0, hi: int | None = None) -> Reader:
    def read(ts: TokenStream, kw: str) -> int:
        if as_:
            ts.word("AS")
        tok = ts.number(kw)
        if not tok.value.isdigit():
            raise ts.error(f"{kw} expects a whole number, found {tok.value}", tok)
        n = int(tok.value)
        if n < lo or (hi is not None and n > hi):
            bound = f"{lo}..{hi}" if hi is not None else f">= {lo}"
            raise ts.error(f"{kw} {n} is out of range ({bound})", tok)
        return n

    return read


def choice(words: Mapping[str, Any], default: Any = None, as_: bool = False) -> Reader:
    """``KW [AS] WORD`` with WORD in ``words`` (mapped to the stored value). A ``default``
    other than None makes the word optional (``COMPUPDATE`` alone means ON)."""

    def read(ts: TokenStream, kw: str) -> Any:
        if as_:
            ts.word("AS")
        tok = ts.peek()
        if tok.kind == "word" and tok.value.upper() in words:
            ts.take()
            return words[tok.value.upper()]
        if default is not None:
            return default
        hint = SourceLocated.closest(tok.value, words) if tok.kind == "word" else None
        raise ts.error(f"{kw} expects one of {', '.join(words)}, found {_describe(tok)}", tok, hint)

    return read


def _iam_role(ts: TokenStream, kw: str) -> str:
    """``IAM_ROLE default`` or ``IAM_ROLE 'arn:…'`` (a comma-separated chain stays one string)."""
    if ts.word("DEFAULT"):
        return "default"
    tok = ts.peek()
    if tok.kind == "word" and SourceLocated.closest(tok.value, ["DEFAULT"]):
        raise ts.error(f"{kw} expects DEFAULT or a quoted role ARN", tok, "DEFAULT")
    return ts.string(kw)


def decode_char(ts: TokenStream, kw: str, value: str, pos: int) -> str:
    """One ASCII character, written plainly, as ``'\\t'`` or as octal ``'\\ddd'``."""
    if len(value) == 1:
        char = value
    elif value == "\\t":
        char = "\t"
    elif re.fullmatch(r"\\[0-7]{3}", value):
        char = chr(int(value[1:], 8))
    else:
        raise ts.error(f"{kw} must be one ASCII character (or '\\t', or octal '\\ddd'), got {value!r}", pos)
    if not 0 < ord(char) < 128:
        raise ts.error(f"{kw} must be one ASCII character other than NUL, got {value!r}", pos)
    return char


def check_fixedwidth(ts: TokenStream, kw: str, value: str, pos: int) -> str:
    if not re.fullmatch(r"\s*[^:,]+:\d+\s*(,\s*[^:,]+:\d+\s*)*", value):
        raise ts.error(f"{kw} spec must look like 'label:width,label:width,…', got {value!r}", pos)
    return value


# --------------------------------------------------------------------------------------------
# The parameter table
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One option: the field it fills, how its argument reads, and what else it implies."""

    field: str | None                  # None: the reader returns a {field: value} mapping
    read: Reader
    slot: str | None = None            # options sharing a slot exclude each other (one format…)
    also: Mapping[str, Any] | None = None      # fixed values it sets besides (JSON -> format)
    mask: Callable[[str], str] | None = None   # how its string argument is shown in ``text``
    unsupported: str | None = None     # recognised, but dwhkit refuses it (why)


def mask_all(value: str) -> str:
    return MASK


# credentials-string keys -> Credentials field; which of them are secrets
_CREDENTIAL_KEYS = {
    "aws_iam_role": "iam_role",
    "aws_access_key_id": "access_key_id",
    "aws_secret_access_key": "secret_access_key",
    "token": "session_token",
    "master_symmetric_key": "master_symmetric_key",
}
_SECRET_CREDENTIAL_KEYS = {"aws_access_key_id", "aws_secret_access_key", "token", "master_symmetric_key"}


def mask_credentials(value: str) -> str:
    """Keep the credentials string's shape and role, hide its keys, token and master key."""
    parts = []
    for part in value.split(";"):
        key, sep, _ = part.partition("=")
        if not sep:
            return MASK
        parts.append(f"{key}={MASK}" if key.strip().lower() in _SECRET_CREDENTIAL_KEYS else part)
    return ";".join(parts)


AUTH_PARAMS: dict[str, Param] = {
    "IAM_ROLE": Param("iam_role", _iam_role),
    "CREDENTIALS": Param("credentials", string(as_=True), mask=mask_credentials),  # [WITH] prefix: see read_options
    "ACCESS_KEY_ID": Param("access_key_id", string(), mask=mask_all),
    "SECRET_ACCESS_KEY": Param("secret_access_key", string(), mask=mask_all),
    "SESSION_TOKEN": Param("session_token", string(), mask=mask_all),
    "MASTER_SYMMETRIC_KEY": Param("master_symmetric_key", string(), mask=mask_all),
}
AUTH_KEYWORDS = frozenset({"IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN"})
_CREDENTIAL_FIELDS = frozenset(p.field for p in AUTH_PARAMS.values())


def _json_spec(ts: TokenStream, kw: str, value: str, pos: int) -> str:
    """'auto' | 'auto ignorecase' | 'noshred' | 's3://…jsonpaths'. AMBIG: the docs only ever
    write these lower case; we accept any case and store lower case."""
    if value.lower() in ("auto", "auto ignorecase", "noshred"):
        return value.lower()
    if value.lower().startswith("s3://"):
        return value
    hint = SourceLocated.closest(value, ("auto", "auto ignorecase", "noshred"))
    raise ts.error(f"{kw} expects 'auto', 'auto ignorecase', 'noshred' or an s3:// JSONPaths file, got {value!r}",
                    pos, hint and repr(hint.lower()))


def _dateformat(ts: TokenStream, kw: str, value: str, pos: int) -> str:
    if value in ("epochsecs", "epochmillisecs"):
        raise ts.error(f"DATEFORMAT does not take {value!r} (TIMEFORMAT only)", pos)
    return value


def _simplify(ts: TokenStream, kw: str) -> dict[str, Any]:
    """SHAPEFILE ``SIMPLIFY [AUTO] [max_tolerance]``: AUTO or a tolerance (or both) is needed."""
    auto = ts.word("AUTO") is not None
    tolerance = float(ts.take().value) if ts.peek().kind == "number" else None
    if not auto and tolerance is None:
        raise ts.error("SIMPLIFY expects AUTO and/or a tolerance, found " + _describe(ts.peek()), ts.peek())
    return {"simplify": "auto" if auto else "all", "simplify_tolerance": tolerance}


_ON_OFF = {"ON": "ON", "TRUE": "ON", "OFF": "OFF", "FALSE": "OFF"}
_FORMAT = "format"
_COMPRESSION = "compression"

COPY_PARAMS: dict[str, Param] = {
    # data source (copy-parameters-data-source-s3)
    "MANIFEST": Param("manifest", flag()),
    "ENCRYPTED": Param("encrypted", flag()),
    "REGION": Param("region", string(as_=True)),
    "READRATIO": Param(None, integer(), unsupported="READRATIO is for DynamoDB sources; dwhkit loads from Amazon S3 only"),
    "SSH": Param(None, flag(), unsupported="SSH sources are not supported; dwhkit loads from Amazon S3 only"),
    # authorization (copy-parameters-authorization)
    **AUTH_PARAMS,
    # data format (copy-parameters-data-format); FORMAT [AS] prefixes any of these
    "CSV": Param(_FORMAT, flag("CSV"), slot=_FORMAT),
    "QUOTE": Param("quote", string(as_=True, check=decode_char)),
    "DELIMITER": Param("delimiter", string(as_=True, check=decode_char)),
    # AMBIG: COPY's page shows FIXEDWIDTH without [AS]; UNLOAD's shows [AS]; we take both
    "FIXEDWIDTH": Param("fixedwidth_spec", string(as_=True, check=check_fixedwidth), slot=_FORMAT,
                        also={"format": "FIXEDWIDTH"}),
    "JSON": Param("json_spec", optional_string("auto", as_=True, check=_json_spec), slot=_FORMAT, also={"format": "JSON"}),
    "AVRO": Param("avro_spec", optional_string("auto", as_=True, check=_json_spec), slot=_FORMAT, also={"format": "AVRO"}),
    "PARQUET": Param(_FORMAT, flag("PARQUET"), slot=_FORMAT),
    "ORC": Param(_FORMAT, flag("ORC"), slot=_FORMAT),
    "SHAPEFILE": Param(_FORMAT, flag("SHAPEFILE"), slot=_FORMAT),
    "SIMPLIFY": Param(None, _simplify),
    "SERIALIZETOJSON": Param("serializetojson", flag()),
    # compression (copy-parameters-file-compression)
    "GZIP": Param(_COMPRESSION, flag("GZIP"), slot=_COMPRESSION),
    "BZIP2": Param(_COMPRESSION, flag("BZIP2"), slot=_COMPRESSION),
    "LZOP": Param(_COMPRESSION, flag("LZOP"), slot=_COMPRESSION),
    "ZSTD": Param(_COMPRESSION, flag("ZSTD"), slot=_COMPRESSION),
    # data conversion (copy-parameters-data-conversion)
    "ACCEPTANYDATE": Param("acceptanydate", flag()),
    "ACCEPTINVCHARS": Param("acceptinvchars", optional_string("?", as_=True, check=decode_char)),
    "BLANKSASNULL": Param("blanksasnull", flag()),
    "DATEFORMAT": Param("dateformat", string(as_=True, check=_dateformat)),
    "EMPTYASNULL": Param("emptyasnull", flag()),
    "ENCODING": Param("encoding", choice({e: e for e in ("UTF8", "UTF16", "UTF16LE", "UTF16BE")}, as_=True)),
    "ESCAPE": Param("escape", flag()),
    "EXPLICIT_IDS": Param("explicit_ids", flag()),
    "FILLRECORD": Param("fillrecord", flag()),
    "IGNOREBLANKLINES": Param("ignoreblanklines", flag()),
    "IGNOREHEADER": Param("ignoreheader", integer(as_=True)),
    "NULL": Param("null_as", string(as_=True)),  # kept as written: '\N' is backslash-N
    "REMOVEQUOTES": Param("removequotes", flag()),
    "ROUNDEC": Param("roundec", flag()),
    "TIMEFORMAT": Param("timeformat", string(as_=True)),
    "TRIMBLANKS": Param("trimblanks", flag()),
    "TRUNCATECOLUMNS": Param("truncatecolumns", flag()),
    # data load (copy-parameters-data-load)
    "MAXERROR": Param("maxerror", integer(as_=True, hi=100_000)),
    "IGNOREALLERRORS": Param("ignoreallerrors", flag()),
    "NOLOAD": Param("noload", flag()),
    "COMPROWS": Param("comprows", integer(lo=1)),
    "COMPUPDATE": Param("compupdate", choice({"PRESET": "PRESET", **_ON_OFF}, default="ON")),
    "STATUPDATE": Param("statupdate", choice(_ON_OFF, default="ON")),
}

_NOT_WITH_JSON = ("DELIMITER", "ESCAPE", "FILLRECORD", "IGNOREBLANKLINES", "NULL", "REMOVEQUOTES")
# (option, options Redshift refuses alongside it). Two formats (CSV + FIXEDWIDTH, JSON + CSV …)
# are already refused by the shared format slot.
COPY_EXCLUSIVE: list[tuple[str, tuple[str, ...]]] = [
    ("CSV", ("REMOVEQUOTES", "ESCAPE")),
    ("FIXEDWIDTH", ("DELIMITER", "ESCAPE")),
    ("JSON", _NOT_WITH_JSON),
    # AMBIG: the docs list these for JSON only; an Avro record has no delimiters or quotes either
    ("AVRO", _NOT_WITH_JSON),
    ("IGNOREALLERRORS", ("MAXERROR",)),
    ("MASTER_SYMMETRIC_KEY", ("CREDENTIALS",)),
]
# (option, at least one of these must be given too)
COPY_REQUIRES: list[tuple[str, tuple[str, ...]]] = [
    ("QUOTE", ("CSV",)),
    ("SIMPLIFY", ("SHAPEFILE",)),
    ("SERIALIZETOJSON", ("PARQUET", "ORC")),
    ("MASTER_SYMMETRIC_KEY", ("ENCRYPTED",)),
    ("SESSION_TOKEN", ("ACCESS_KEY_ID",)),
    ("ACCESS_KEY_ID", ("SECRET_ACCESS_KEY",)),
    ("SECRET_ACCESS_KEY", ("ACCESS_KEY_ID",)),
]
_COLUMNAR_OK = frozenset({"MANIFEST", "ACCEPTINVCHARS", "FILLRECORD", "STATUPDATE", "EXPLICIT_IDS",
                          "SERIALIZETOJSON"} | AUTH_KEYWORDS)
# format: the only options it accepts besides itself (copy-usage_notes-copy-from-columnar)
COPY_ONLY: dict[str, frozenset[str]] = {"PARQUET": _COLUMNAR_OK, "ORC": _COLUMNAR_OK}
# COPY JOB (r_COPY-JOB): options a job's COPY may not carry
_JOB_REFUSES = ("MAXERROR", "IGNOREALLERRORS", "MANIFEST")

_DISPLAY = {"NULL": "NULL AS"}


def display(keyword: str) -> str:
    return _DISPLAY.get(keyword, keyword)


# --------------------------------------------------------------------------------------------
# Reading options and checking the rules (shared with UNLOAD)
# --------------------------------------------------------------------------------------------


@dataclass
class Options:
    values: dict[str, Any]            # field -> value
    given: dict[str, int]             # keyword -> 0-based position where it was written
    masks: list[tuple[Token, Callable[[str], str]]]
    unsupported: list[tuple[str, int, str]]


def read_options(ts: TokenStream, params: Mapping[str, Param], stop: tuple[str, ...] = ()) -> Options:
    """Read ``param [arg]`` items in any order until the end, ``;`` or a ``stop`` word."""
    opts = Options({}, {}, [], [])
    slots: dict[str, tuple[str, int]] = {}
    formats = [kw for kw, p in params.items() if p.slot == _FORMAT]
    while not ts.at_end():
        tok = ts.peek()
        if tok.kind != "word":
            raise ts.error(f"expected a {ts.statement} option, found {_describe(tok)}", tok)
        kw = tok.value.upper()
        if kw in stop:
            break
        ts.take()
        if kw == "WITH" and "CREDENTIALS" in params:
            kw = ts.expect_word("CREDENTIALS", after="WITH").value.upper()
        elif kw == "FORMAT":
            ts.word("AS")
            tok = ts.peek()
            kw = ts.expect_word(*formats, after="FORMAT").value.upper()
        param = params.get(kw)
        if param is None:
            known = [*params, "FORMAT"] + (["WITH"] if "CREDENTIALS" in params else []) + list(stop)
            raise ts.error(f"unknown {ts.statement} option {kw}", tok, SourceLocated.closest(kw, known))
        slot = param.slot or kw
        if slot in slots:
            prev, _ = slots[slot]
            # the caret points at the second one; the first is named, not located (the message
            # is re-pointed into whole files by `dwh check`)
            raise ts.error(f"duplicate option {kw} (given twice)" if prev == kw else
                            f"{kw} conflicts with {prev}: only one {slot} per statement", tok)
        slots[slot] = (kw, tok.pos)
        first = ts.i
        value = param.read(ts, kw)
        if param.mask:
            opts.masks += [(t, param.mask) for t in ts.toks[first:ts.i] if t.kind == "string"]
        if param.unsupported:
            opts.unsupported.append((kw, tok.pos, param.unsupported))
        elif param.field is None:
            opts.values.update(value)
        else:
            opts.values[param.field] = value
        opts.values.update(param.also or {})
        opts.given[kw] = tok.pos
    return opts


def check_rules(ts: TokenStream, given: Mapping[str, int], exclusive, requires, only) -> None:
    """Refuse what Redshift refuses, naming both options and where they were written."""

    at = display

    for kw, others in exclusive:
        if kw in given:
            for other in others:
                if other in given:
                    raise ts.error(f"{at(kw)} cannot be combined with {at(other)}", max(given[kw], given[other]))
    for kw, needs in requires:
        if kw in given and not any(n in given for n in needs):
            raise ts.error(f"{at(kw)} requires {' or '.join(map(display, needs))}", given[kw])
    for fmt, allowed in only.items():
        if fmt in given:
            for kw, pos in given.items():
                if kw != fmt and kw not in allowed:
                    raise ts.error(f"{at(kw)} cannot be used with {at(fmt)}, which takes only "
                                    f"{', '.join(sorted(allowed))}", pos)


def _parse_credentials_string(ts: TokenStream, value: str, pos: int) -> dict[str, str]:
    """``'aws_iam_role=arn…[;master_symmetric_key=…]'`` or
    ``'aws_access_key_id=…;aws_secret_access_key=…[;token=…][;master_symmetric_key=…]'``."""
    found: dict[str, str] = {}
    for n, part in enumerate(p for p in value.split(";") if p.strip()):
        key, sep, val = part.partition("=")
        key = key.strip().lower()
        if not sep:
            raise ts.error(f"CREDENTIALS part {n + 1} is not key=value", pos)
        if key not in _CREDENTIAL_KEYS:
            raise ts.error(f"CREDENTIALS: unknown key {key!r}", pos)
        if _CREDENTIAL_KEYS[key] in found:
            raise ts.error(f"CREDENTIALS: duplicate key {key!r}", pos)
        found[_CREDENTIAL_KEYS[key]] = val.strip()
    has_keys = "access_key_id" in found or "secret_access_key" in found
    if "iam_role" in found and (has_keys or "session_token" in found):
        raise ts.error("CREDENTIALS: aws_iam_role cannot be combined with access keys", pos)
    if has_keys and not ("access_key_id" in found and "secret_access_key" in found):
        raise ts.error("CREDENTIALS: aws_access_key_id and aws_secret_access_key go together", pos)
    if "session_token" in found and not has_keys:
        raise ts.error("CREDENTIALS: token needs aws_access_key_id and aws_secret_access_key", pos)
    if "iam_role" not in found and not has_keys:
        raise ts.error("CREDENTIALS needs aws_iam_role or aws_access_key_id/aws_secret_access_key", pos)
    return found


def build_credentials(ts: TokenStream, opts: Options) -> Credentials:
    """Exactly one authorization method -> ``Credentials`` (pops the auth fields from values)."""
    given, values = opts.given, opts.values
    auth = {f: values.pop(f) for f in list(values) if f in _CREDENTIAL_FIELDS}
    methods = [kw for kw in ("IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID") if kw in given]
    if len(methods) > 1:
        a, b = methods[:2]
        raise ts.error(f"only one authorization method: {a} and {b}", max(given[a], given[b]))
    if not methods:
        raise ts.error(f"{ts.statement} needs an authorization (IAM_ROLE, CREDENTIALS, or "
                        "ACCESS_KEY_ID with SECRET_ACCESS_KEY)", len(ts.sql.rstrip().rstrip(";").rstrip()))
    master = auth.get("master_symmetric_key")
    if methods[0] == "IAM_ROLE":
        return Credentials("iam_role", iam_role=auth["iam_role"], master_symmetric_key=master)
    if methods[0] == "ACCESS_KEY_ID":
        return Credentials("keys", access_key_id=auth["access_key_id"],
                           secret_access_key=auth["secret_access_key"],
                           session_token=auth.get("session_token"), master_symmetric_key=master)
    parsed = _parse_credentials_string(ts, auth["credentials"], given["CREDENTIALS"])
    return Credentials("credentials", **parsed)


def masked_text(sql: str, masks: list[tuple[Token, Callable[[str], str]]]) -> str:
    """The statement as written with every secret replaced by ``***``."""
    out, last = [], 0
    for tok, mask in sorted(masks, key=lambda m: m[0].pos):
        out += [sql[last:tok.pos], "'" + mask(tok.value).replace("'", "''") + "'"]
        last = tok.end
    out.append(sql[last:])
    return "".join(out).strip()


def leading_word(sql: str) -> str:
    """The statement's first keyword, upper-cased ('' when there is none)."""
    try:
        tok = _tokenize(sql, "SQL")[0]
    except CopySyntaxError:
        m = re.match(r"\s*([A-Za-z_]+)", sql)
        return m.group(1).upper() if m else ""
    return tok.value.upper() if tok.kind == "word" else ""


# --------------------------------------------------------------------------------------------
# COPY
# --------------------------------------------------------------------------------------------

_JOB_ACTIONS = ("ALTER", "RUN", "LIST", "SHOW", "DROP")


def is_copy_statement(sql: str) -> bool:
    """True when the statement starts with COPY (comments and whitespace skipped)."""
    return leading_word(sql) == "COPY"


def parse_copy(sql: str) -> CopyCommand:
    """Parse one Redshift COPY statement (or COPY JOB command) into a ``CopyCommand``.

    Raises ``CopySyntaxError`` for anything Redshift would refuse (unknown or duplicated
    options, incompatible combinations, bad values) and ``UnsupportedError`` for valid Redshift
    that dwhkit does not emulate (non-S3 sources)."""
    ts = TokenStream(sql, "COPY")
    ts.expect_word("COPY")
    if ts.peek().is_word("JOB") and ts.peek(1).is_word(*_JOB_ACTIONS):
        ts.take()
        return _job_command(ts)
    action = ts.peek(1)
    if ts.peek().is_word("JOB") and action.kind == "word" and not action.is_word("FROM") and \
            (hint := SourceLocated.closest(action.value, _JOB_ACTIONS)):
        raise ts.error(f"expected {' or '.join(_JOB_ACTIONS)} after COPY JOB, found {_describe(action)}", action, hint)

    table_tok = ts.identifier("a table name")
    schema, table = None, table_tok.value
    if ts.peek().is_punct("."):
        ts.take()
        schema, table = table, ts.identifier("a table name after '.'").value
        if ts.peek().is_punct("."):
            raise ts.error("three-part table names are not supported", ts.peek(), error=UnsupportedError)
    columns = ts.identifier_list("column") if ts.peek().is_punct("(") else None
    ts.expect_word("FROM", after="the table name")
    source_pos = ts.peek().pos
    source = ts.string("FROM")

    opts = read_options(ts, COPY_PARAMS, stop=("JOB",))
    job = _job_create(ts) if ts.word("JOB") else None
    ts.finish()

    check_rules(ts, opts.given, COPY_EXCLUSIVE, COPY_REQUIRES, COPY_ONLY)
    credentials = build_credentials(ts, opts)
    if opts.values.get("encrypted") and not credentials.master_symmetric_key:
        raise ts.error("ENCRYPTED needs MASTER_SYMMETRIC_KEY (or master_symmetric_key in CREDENTIALS)",
                        opts.given["ENCRYPTED"])
    if job:
        _check_job(ts, opts, credentials)
    # file:///… is dwhkit's extension for Postgres targets (a local lake); Redshift reads S3 only.
    if not source.lower().startswith(("s3://", "file://")):
        raise ts.error(f"FROM {source!r}: dwhkit loads from Amazon S3 (s3://…) or, on Postgres "
                        "targets, file:///…", source_pos, error=UnsupportedError)
    for kw, pos, why in opts.unsupported:
        raise ts.error(f"{why} ({kw})", pos, error=UnsupportedError)

    return CopyCommand(table=table, schema=schema, columns=columns, source=source,
                       credentials=credentials, job=job, text=masked_text(sql, opts.masks),
                       **opts.values)


def _job_name(ts: TokenStream) -> str:
    tok = ts.identifier("a COPY JOB name")
    nxt = ts.peek()
    if "-" in tok.value or (nxt.pos == tok.end and nxt.value.startswith("-")):
        raise ts.error("COPY JOB names may not contain a hyphen", tok)
    return tok.value


def _auto(ts: TokenStream) -> str | None:
    if ts.word("AUTO"):
        return choice({"ON": "on", "OFF": "off"})(ts, "AUTO")
    return None


def _job_create(ts: TokenStream) -> tuple[str, ...]:
    """``… JOB CREATE name [AUTO ON|OFF]`` -> ('create', name, 'on'|'off'); AUTO defaults to ON."""
    ts.expect_word("CREATE", after="JOB")
    name = _job_name(ts)
    return ("create", name, _auto(ts) or "on")


def _job_command(ts: TokenStream) -> CopyCommand:
    """``COPY JOB ALTER name [AUTO ON|OFF] | RUN name | LIST | SHOW name | DROP name``.

    ``job`` is ('alter', name[, 'on'|'off']), ('run', name), ('list',), ('show', name) or
    ('drop', name); ``table`` is '' since these name no table."""
    action = ts.take().value.lower()
    job: tuple[str, ...] = (action,)
    if action != "list":
        job += (_job_name(ts),)
    if action == "alter" and (auto := _auto(ts)):
        job += (auto,)
    ts.finish()
    return CopyCommand(table="", job=job, text=ts.sql.strip())


def _check_job(ts: TokenStream, opts: Options, credentials: Credentials) -> None:
    """COPY JOB restrictions (r_COPY-JOB). AMBIG: the preview refused ORC/Parquet, current docs
    do not; we accept them."""
    for kw in _JOB_REFUSES:
        if kw in opts.given:
            raise ts.error(f"COPY JOB does not accept {kw}", opts.given[kw])
    if credentials.method != "iam_role" or credentials.iam_role == "default":
        pos = min(opts.given.get(k, len(ts.sql)) for k in AUTH_KEYWORDS)
        raise ts.error("COPY JOB needs IAM_ROLE 'arn:…' (not default, keys or CREDENTIALS)", pos)
