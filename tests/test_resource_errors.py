"""A statement that fails for lack of a resource says which one (SQLSTATE class 53), not only the
server's own words: 'disk full' for 53100."""
from dwhkit.pipeline import first_line


class _ServerError(Exception):
    """The two attributes psycopg2 sets from the server's error (a disk cannot be filled portably)."""

    def __init__(self, message, pgcode):
        super().__init__(message)
        self.pgcode = pgcode


def test_disk_full_is_named():
    exc = _ServerError('could not extend file "base/16384/16385": No space left on device\nHINT: Check free disk space.',
                       "53100")
    assert first_line(exc) == 'disk full: could not extend file "base/16384/16385": No space left on device'
    assert first_line(_ServerError("syntax error", "42601")) == "syntax error"
