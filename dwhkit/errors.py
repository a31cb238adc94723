"""One error hierarchy for dwhkit, so callers catch domain errors, not driver ones."""


class DwhError(Exception):
    """Base of every error dwhkit raises on purpose."""


class ConfigError(DwhError):
    """dwh.cfg or the environment is missing something or holds a bad value."""


class ServerError(DwhError):
    """The embedded Postgres server could not be found, initialised or started."""


class TargetConnectError(DwhError):
    """The warehouse could not be reached (the message names the target, never its password)."""


class SourceLocated:
    """Mixin for errors about a statement's text: the bare ``reason``, the 0-based ``position``
    in the statement it points at (None: nowhere in particular), a ``hint`` ("did you mean
    TIMEFORMAT?") and the ``hidden`` (start, end) spans an excerpt must mask (secrets).
    ``dwhkit.check.check_redshift`` re-points them into a whole file with ``excerpt``."""

    def __init__(self, message, *, reason=None, position=None, hint=None, hidden=()):
        super().__init__(message)
        self.reason, self.position, self.hint, self.hidden = reason or message, position, hint, tuple(hidden)

    @staticmethod
    def closest(word: str, candidates) -> str | None:
        """The candidate ``word`` most likely misspells (case-insensitive), or None."""
        import difflib

        found = difflib.get_close_matches(word.upper(), [c.upper() for c in candidates], n=1, cutoff=0.7)
        return found[0] if found and found[0] != word.upper() else None

    @staticmethod
    def excerpt(text: str, position: int, hidden=()) -> tuple[int, int, str]:
        """(line, column) of ``position`` in ``text`` (1-based) and that source line with a
        caret under it; hidden spans are shown as ``***``."""
        position = max(0, min(position, len(text)))
        start = text.rfind("\n", 0, position) + 1
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        shown, caret, i = "", None, start
        for a, b in sorted(hidden):
            a, b = max(a, i), min(b, end)
            if a >= b:
                continue
            if caret is None and position < a:
                caret = len(shown) + position - i
            shown += text[i:a]
            if caret is None and position < b:
                caret = len(shown)
            shown, i = shown + "***", b
        if caret is None:
            caret = len(shown) + position - i
        line = (shown + text[i:end]).replace("\t", " ").rstrip("\r")
        return text.count("\n", 0, position) + 1, position - start + 1, f"  {line}\n  {' ' * caret}^"


class TranslateError(DwhError):
    """A Redshift statement could not be translated for the Postgres target."""


class SqlSyntaxError(SourceLocated, TranslateError):
    """A statement is not valid Redshift SQL; says where (line, column) and what was meant."""


class UnsupportedError(SourceLocated, TranslateError):
    """A Redshift feature or option dwhkit refuses rather than silently ignoring."""


class CopyError(DwhError):
    """A COPY or UNLOAD failed; nothing was loaded (COPY is all-or-nothing)."""


class CopySyntaxError(SourceLocated, CopyError):
    """The COPY/UNLOAD statement itself is malformed or combines options Redshift refuses."""


class LoadError(CopyError):
    """A record could not be loaded; names the S3 key, line and column."""

    def __init__(self, message, *, key=None, line=None, column=None, position=None):
        where = []
        if key is not None:
            where.append(str(key))
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        if position is not None:
            where.append(f"position {position}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.key, self.line, self.column, self.position = key, line, column, position
        self.reason = message


class PipelineError(DwhError):
    """A pipeline step failed and was rolled back."""


class QualityError(DwhError):
    """A data-quality check failed (keys, references, privacy)."""


class NotCreatedError(DwhError):
    """The warehouse's tables (or some of them) do not exist yet: create or migrate them first."""


class DatabaseError(DwhError):
    """The database refused a statement; the driver's error, mapped at the library boundary."""


class CopyInterrupted(KeyboardInterrupt):
    """A COPY was stopped by SIGINT/SIGTERM (or cancelled) and rolled back: nothing was loaded.

    Deliberately a ``KeyboardInterrupt`` and not a ``DwhError``: code that catches ``Exception``
    (a retry loop, a notebook helper) must not swallow the user's Ctrl-C and carry on."""
