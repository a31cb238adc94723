"""One error hierarchy for dwhkit, so callers catch domain errors, not driver ones."""


class DwhError(Exception):
    """Base of every error dwhkit raises on purpose."""


class ConfigError(DwhError):
    """dwh.cfg or the environment is missing something or holds a bad value."""


class ServerError(DwhError):
    """The embedded Postgres server could not be found, initialised or started."""


class TranslateError(DwhError):
    """A Redshift statement could not be translated for the Postgres target."""


class UnsupportedError(TranslateError):
    """A Redshift feature or option dwhkit refuses rather than silently ignoring."""


class CopyError(DwhError):
    """A COPY or UNLOAD failed; nothing was loaded (COPY is all-or-nothing)."""


class CopySyntaxError(CopyError):
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
