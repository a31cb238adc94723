"""JSON as a COPY format parser: picks the mapping ('auto', 'auto ignorecase', jsonpaths file) once per COPY.

Why separate from ``jsonfmt``: that module knows JSON streams; this one knows COPY options
(JSON's incompatible options, IGNOREHEADER, ACCEPTINVCHARS, where the jsonpaths file lives).
"""
from __future__ import annotations

import re

from ...errors import CopyError, CopySyntaxError, UnsupportedError
from . import jsonfmt

_SURROGATE = re.compile("[\udc80-\udcff]")


def invalid_utf8_fixer(replacement: str | None):
    """ACCEPTINVCHARS: each invalid UTF-8 byte becomes the replacement char (default '?')."""
    if replacement is None:
        return None
    rep = replacement or "?"

    def fix(raw: bytes) -> bytes:
        return _SURROGATE.sub(rep, raw.decode("utf-8", "surrogateescape")).encode("utf-8")
    return fix


class JsonParser:
    """JSON records mapped to the COPY's columns ('auto', 'auto ignorecase' or a jsonpaths file;
    ``source_for(url)`` is the Source the jsonpaths file is read from)."""

    from_json = True
    file_format = "JSON"
    strict = False
    streamed = True
    skip: int

    def __init__(self, cmd, cols, source_for):
        for flag, name in ((cmd.delimiter, "DELIMITER"), (cmd.escape, "ESCAPE"), (cmd.fillrecord, "FILLRECORD"),
                           (cmd.fixedwidth_spec, "FIXEDWIDTH"), (cmd.ignoreblanklines, "IGNOREBLANKLINES"),
                           (cmd.null_as, "NULL AS"), (cmd.removequotes, "REMOVEQUOTES"), (cmd.quote, "QUOTE")):
            if flag:
                raise CopySyntaxError(f"{name} cannot be used with JSON")
        spec = (cmd.json_spec or "auto").strip()
        names = [c.name for c in cols]
        if spec.lower() == "noshred":
            raise UnsupportedError("JSON 'noshred' (whole document into one SUPER column) is not supported by dwhkit")
        if spec == "auto":
            self.mapper = jsonfmt.auto_mapper(names, ignorecase=False)
        elif spec == "auto ignorecase":
            self.mapper = jsonfmt.auto_mapper(names, ignorecase=True)
        elif spec.startswith("s3://"):
            paths = jsonfmt.parse_jsonpaths(source_for(spec).read_small(spec), spec)
            if paths is None:
                self.mapper = jsonfmt.auto_mapper(names, ignorecase=False)
            else:
                if len(paths) != len(cols):
                    raise CopyError(f"Invalid JSONPath file {spec}: number of jsonpaths ({len(paths)}) and the "
                                    f"number of columns ({len(cols)}) should match")
                self.mapper = jsonfmt.path_mapper(paths)
        else:
            raise CopySyntaxError(f"JSON {spec!r}: expected 'auto', 'auto ignorecase' or an s3:// jsonpaths file "
                                  "(keywords are lower case and case-sensitive)")
        self.skip = cmd.ignoreheader or 0
        self.fix = invalid_utf8_fixer(cmd.acceptinvchars)

    def records(self, chunks, f, stats):
        return jsonfmt.records(chunks, skip_lines=self.skip, fix=self.fix, stats=stats)

    @staticmethod
    def position(raw, idx) -> int:
        return 0
