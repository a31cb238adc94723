"""`dwh check`: every statement of a Redshift script checked without a cluster, each problem
saying where (line:column in the file), showing the line with a caret, and what was meant.

SQL goes through sqlglot's Redshift grammar; COPY, COPY JOB and UNLOAD through the very grammar
the runtime uses (dwhkit.copy.grammar / unload_grammar), so a typo that would fail at run time
(``FORMAT AS JSN``, ``TIMEFORMT``) fails here first. It sits above both compat/ and copy/
because it uses both.
"""
from __future__ import annotations

from dwhkit.compat.params import Placeholders
from dwhkit.compat.split import first_keyword, statement_spans
from dwhkit.compat.translate import _first_line, parse_problem
from dwhkit.copy.grammar import parse_copy
from dwhkit.copy.unload_grammar import parse_unload
from dwhkit.errors import CopySyntaxError, SourceLocated, UnsupportedError

_GRAMMARS = {"COPY": parse_copy, "UNLOAD": parse_unload}


def check_redshift(sql: str, path: str | None = None) -> list[str]:
    """One problem per statement that Redshift (or dwhkit's emulation) would refuse.

    Each reads ``PATH:LINE:COL: <what>; did you mean X?`` (``statement N, line L, column C:``
    without ``path``) followed by the source line and a caret under the spot."""
    problems = []
    for number, (start, statement) in enumerate(statement_spans(sql), start=1):
        found = _problem(statement)
        if found is None:
            continue
        reason, position, hint, hidden = found
        suggestion = f"; did you mean {hint}?" if hint else ""
        if position is None:
            head = f"{path}: statement {number}" if path else f"statement {number}"
            problems.append(f"{head} ({_first_line(statement)}): {reason}{suggestion}")
            continue
        shifted = [(a + start, b + start) for a, b in hidden]
        line, column, shown = SourceLocated.excerpt(sql, start + position, shifted)
        head = f"{path}:{line}:{column}: statement {number}" if path else \
            f"statement {number}, line {line}, column {column}"
        problems.append(f"{head}: {reason}{suggestion}\n{shown}")
    return problems


def _problem(statement: str) -> tuple[str, int | None, str | None, tuple] | None:
    grammar = _GRAMMARS.get(first_keyword(statement))
    if grammar is not None:
        try:
            grammar(statement)
        except CopySyntaxError as err:
            return err.reason, err.position, err.hint, err.hidden
        except UnsupportedError as err:
            # valid Redshift, but it would fail when run on a Postgres target
            return (f"not supported by dwhkit on Postgres targets: {err.reason}", err.position, err.hint,
                    err.hidden)
        return None
    params = Placeholders(statement)
    problem = parse_problem(params.protected)
    if problem is None:
        return None
    position = None if problem.position is None else params.original_position(problem.position)
    return problem.reason, position, problem.hint, ()
