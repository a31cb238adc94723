"""A progress line for long COPYs (files, rows, rows/s and ETA) and a spinner for slow SQL steps
(rich), on stderr.

Off unless stderr is a terminal (so tests, CI and piped output never see it) and off when
``DWH_COPY_PROGRESS=0``; ``DWH_COPY_PROGRESS=1`` forces it on. It only appears after a second,
so short loads stay silent. The ETA is from bytes read when sizes are known (uncompressed
input), else from files done.
"""
from __future__ import annotations

import os
import sys
import time


def wanted() -> bool:
    flag = os.environ.get("DWH_COPY_PROGRESS", "").lower()
    if flag in ("0", "off", "false", "no"):
        return False
    if flag in ("1", "on", "true", "yes"):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _console():
    """stderr, drawn as a terminal: only called where wanted() said yes (a terminal, or forced)."""
    from rich.console import Console

    return Console(file=sys.stderr, force_terminal=True)


class NullProgress:
    def advance(self, rows: int = 0, nbytes: int = 0) -> None:
        pass

    def file_done(self) -> None:
        pass

    def close(self) -> None:
        pass


class Progress(NullProgress):
    """Thread-safe enough for one producer thread: rich redraws from its own thread."""

    DELAY = 1.0

    def __init__(self, table: str, files: list, by_bytes: bool):
        self.table, self.nfiles = table, len(files)
        self.total = sum(f.size or 0 for f in files) if by_bytes else len(files)
        self.by_bytes = by_bytes and self.total > 0
        if not self.by_bytes:
            self.total = len(files)
        self.rows = self.files = self.bytes = 0
        self.t0 = time.monotonic()
        self._bar = None
        self._task = None

    def _ensure(self):
        if self._bar is None and time.monotonic() - self.t0 >= self.DELAY:
            from rich.progress import (BarColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)
            self._bar = RichProgress(TextColumn("COPY {task.fields[table]}"), BarColumn(),
                                     TextColumn("{task.fields[files]}/{task.fields[nfiles]} files"),
                                     TextColumn("{task.fields[rows]:,} rows"),
                                     TextColumn("{task.fields[rate]:,.0f} rows/s"),
                                     TimeElapsedColumn(), TimeRemainingColumn(),
                                     console=_console(), transient=True, refresh_per_second=4)
            self._bar.start()
            self._task = self._bar.add_task("copy", total=self.total, table=self.table, files=0,
                                            nfiles=self.nfiles, rows=0, rate=0.0)
        return self._bar

    def _update(self):
        bar = self._ensure()
        if bar is not None:
            elapsed = max(time.monotonic() - self.t0, 1e-9)
            bar.update(self._task, completed=self.bytes if self.by_bytes else self.files, files=self.files,
                       rows=self.rows, rate=self.rows / elapsed)

    def advance(self, rows: int = 0, nbytes: int = 0) -> None:
        self.rows += rows
        self.bytes += nbytes
        self._update()

    def file_done(self) -> None:
        self.files += 1
        self._update()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def make(table: str, files: list, compressed: bool):
    if not wanted():
        return NullProgress()
    return Progress(table, files, by_bytes=not compressed)


class StepSpinner:
    """A spinner with the elapsed time for one SQL step, on stderr, shown only once the step has
    run for ``DELAY`` seconds (short steps stay silent) and only where ``wanted()`` (a terminal).

    Why a timer thread: the step blocks in the driver, so nothing else would draw the first frame.
    COPY steps are not wrapped: their load shows the Progress bar above (rich allows one live
    display at a time)."""

    DELAY = 1.0

    def __init__(self, label: str, delay: float | None = None):
        import threading

        self.label = label
        self.delay = self.DELAY if delay is None else delay
        self._lock = threading.Lock()
        self._live = None
        self._closed = False
        self._timer = threading.Timer(self.delay, self._show)
        self._timer.daemon = True

    def _show(self) -> None:
        from rich.progress import Progress as RichProgress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed:
                return
            bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                               console=_console(), transient=True, refresh_per_second=8)
            # the elapsed clock counts from the step's start, not from when the spinner appeared
            bar.add_task(self.label, total=None)
            bar.tasks[0].start_time = bar.get_time() - self.delay
            bar.start()
            self._live = bar

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._live is not None:
                self._live.stop()
                self._live = None


def step_spinner(label: str):
    """A StepSpinner where one is wanted, else a context that does nothing."""
    import contextlib

    return StepSpinner(label) if wanted() else contextlib.nullcontext()
