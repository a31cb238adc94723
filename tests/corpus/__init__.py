"""A conformance corpus built from the examples of AWS's Amazon Redshift Database Developer Guide.

Why: the project's own tests check the cases the project chose; this corpus checks the cases AWS
documents. Every row is one documented behaviour: our own statement over the documented inputs,
the documented result, and the page it comes from (``doc_source/<page>.md`` of the archived
awsdocs/amazon-redshift-developer-guide repository, i.e.
https://docs.aws.amazon.com/redshift/latest/dg/<page>.html). Rows whose result we do not yet match
are listed in ``known.py`` with the reason, so the pytest module marks them ``xfail(strict=True)``:
the suite passes, the pass rate stays honest, and a fix shows up as an XPASS to unmark.

A category module holds ``SETUP`` (statements run once on the category's connection, in the
category's own schema), ``CASES``, built with :func:`case`, and ``SKIPPED``: the page's examples
whose result depends on TICKIT data we cannot reconstruct (or on the clock), as (page, why) pairs,
counted as skipped, never as passed.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

#: category name -> module (tests/corpus/cases_<name>.py)
CATEGORIES = ("string", "datetime", "math", "json", "aggregate", "window", "conditional",
              "conversion", "regex", "types", "hash", "ddl_dml", "copy")

DOCS = "https://docs.aws.amazon.com/redshift/latest/dg/{page}.html"


@dataclass(frozen=True)
class Raises:
    """The documented outcome is an error whose message contains ``fragment`` (case-insensitive)."""
    fragment: str = ""


@dataclass(frozen=True)
class Case:
    category: str
    page: str                # doc_source file name without .md
    sql: tuple[str, ...]     # run in order; the last one's rows are compared
    expected: object         # list of row tuples, or Raises
    ordered: bool = True     # False: compare as a multiset (the statement has no ORDER BY)
    note: str = ""           # a doubt about the page, or how the input was reconstructed
    id: str = field(default="", compare=False)

    @property
    def url(self) -> str:
        return DOCS.format(page=self.page)


def case(page: str, sql, expected, *, ordered: bool = True, note: str = "") -> dict:
    """One documented behaviour. ``expected``: a list of row tuples, a bare scalar (one row, one
    column), or :class:`Raises`."""
    if not isinstance(expected, (list, Raises)):
        expected = [(expected,)]
    return dict(page=page, sql=(sql,) if isinstance(sql, str) else tuple(sql), expected=expected,
                ordered=ordered, note=note)


def load(category: str) -> tuple[list[str], list[Case]]:
    """The category's setup statements and its cases, each with a stable id ``category:page#n``."""
    module = importlib.import_module(f"tests.corpus.cases_{category}")
    seen: dict[str, int] = {}
    cases = []
    for row in module.CASES:
        n = seen[row["page"]] = seen.get(row["page"], 0) + 1
        cases.append(Case(category=category, id=f"{category}:{row['page']}#{n}", **row))
    return list(getattr(module, "SETUP", [])), cases


def files(category: str) -> tuple[str, dict[str, str]]:
    """The S3 bucket and the objects (key -> text) a category's COPY examples read, if any."""
    module = importlib.import_module(f"tests.corpus.cases_{category}")
    return getattr(module, "BUCKET", ""), dict(getattr(module, "FILES", {}))


def skipped(category: str) -> list[tuple[str, str]]:
    return list(getattr(importlib.import_module(f"tests.corpus.cases_{category}"), "SKIPPED", []))


def all_cases() -> list[Case]:
    return [c for cat in CATEGORIES for c in load(cat)[1]]
