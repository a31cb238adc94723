"""Move one COPY's items from the parser to the sink, interruptibly.

Why this thread only waits: Python runs signal handlers only in the main thread, between
bytecodes. A thread blocked inside the driver (the database waiting on a lock, a slow final
batch) would not see Ctrl-C for minutes. The producer (parse, check, convert) and the sender
(``sink.write``) each run in a thread of their own — pyarrow, numpy and the driver release the
GIL, so parsing overlaps with the database's work on the other core — while this thread waits in
short steps: on SIGINT it sets ``cancel`` (sources stop within one chunk), stops the producer and
interrupts the sink's statement; then the caller aborts the load.
"""
from __future__ import annotations

import threading

from ..errors import CopyInterrupted
from .sink import BlockFormat
from .streams import END, STOP_TIMEOUT, Feed, Producer


def send(sink, table, cols, items, formats: dict[str, BlockFormat], cancel: threading.Event) -> None:
    """Consecutive items of one kind go to the sink as one ``write`` (one statement)."""
    producer = Producer(items)
    failed: list[BaseException] = []
    # An Event, not Thread.join: on 3.11 a join interrupted by Ctrl-C marks a still-running
    # thread as stopped (bpo-45274), so is_alive() would lie right when it matters.
    done = threading.Event()

    def run():
        try:
            _write_all(sink, table, cols, producer, formats, cancel)
        except BaseException as exc:    # noqa: BLE001 - re-raised by the waiting thread
            failed.append(exc)
        finally:
            done.set()

    sender = threading.Thread(target=run, name="dwhkit-copy-send", daemon=True)
    try:
        sender.start()
        while not done.wait(0.2):       # short waits: a signal handler can run in between
            pass
    except BaseException:
        cancel.set()
        producer.stop(timeout=0)
        if not done.is_set():
            sink.interrupt()            # the statement in progress stops at the server
            done.wait(STOP_TIMEOUT)
        raise
    finally:
        producer.stop()
    if failed:
        raise failed[0]


def _write_all(sink, table, cols, producer, formats, cancel) -> None:
    item = producer.take()
    while item is not END:
        if item[0] == "error":
            raise item[1]
        if cancel.is_set():
            raise CopyInterrupted("the COPY was cancelled")
        feed = Feed(producer.take, item)
        sink.write(table, cols, formats[feed.kind], feed)
        if feed.error is not None:
            raise feed.error
        item = feed.next if feed.next is not None else END
