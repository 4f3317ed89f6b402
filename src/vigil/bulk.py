"""Bulk writing of rows whose primary keys are already assigned, through the driver connection itself (so
it takes part in the caller's transaction and any thread may call it): psycopg 3 COPY on PostgreSQL,
executemany on SQLite. Used by the demo generator and by imports."""

import queue
import threading
from collections.abc import Sequence
from datetime import date

from django.db import connection
from django.db.models import Model


def insert_sql(model: type[Model], columns: Sequence[str]) -> tuple[str, str]:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), ", ".join(quote(column) for column in columns)


def rows_write(raw_connection, vendor: str, model: type[Model], columns: Sequence[str], rows: list[tuple]) -> None:
    """Write rows with the driver connection itself (no Django cursor, so any thread may call it)."""
    if not rows:
        return
    table, names = insert_sql(model, columns)
    if vendor == "postgresql":
        with raw_connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" * len(columns))
        raw_connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


SQLITE_CHUNK = 500


def rows_matching(model: type[Model], columns: Sequence[str], key: str, values, *, where: str = "",
                  params: Sequence = ()) -> list[tuple]:
    """The `columns` of the rows whose `key` is one of `values` (and `where`, with `params`), in few queries:
    one `= ANY(array)` on PostgreSQL (a parameter list of thousands is slow to send and to plan), chunks of
    `IN (...)` on SQLite."""
    values = list(values)
    if not values:
        return []
    quote = connection.ops.quote_name
    table, names = insert_sql(model, columns)
    extra = f" AND {where}" if where else ""
    found: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {names} FROM {table} WHERE {quote(key)} = ANY(%s){extra}", [values, *params])
            return list(cursor.fetchall())
        for start in range(0, len(values), SQLITE_CHUNK):
            chunk = values[start:start + SQLITE_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {names} FROM {table} WHERE {quote(key)} IN ({marks}){extra}", [*chunk, *params])
            found.extend(cursor.fetchall())
    return found


def rows_matching_pairs(model: type[Model], columns: Sequence[str], keys: tuple[str, str], pairs, *,
                        where: str = "", types: tuple[str, str] = ("text", "text")) -> list[tuple]:
    """As `rows_matching`, for rows whose two `keys` are one of `pairs` (so a composite index serves):
    `unnest` of two arrays on PostgreSQL (`types` are their element types), row values on SQLite."""
    pairs = list(pairs)
    if not pairs:
        return []
    quote = connection.ops.quote_name
    table, names = insert_sql(model, columns)
    first, second = quote(keys[0]), quote(keys[1])
    extra = f" AND {where}" if where else ""
    found: list[tuple] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT {names} FROM {table} WHERE ({first}, {second}) IN "
                           f"(SELECT * FROM unnest(%s::{types[0]}[], %s::{types[1]}[])){extra}",
                           [[a for a, _ in pairs], [b for _, b in pairs]])
            return list(cursor.fetchall())
        for start in range(0, len(pairs), SQLITE_CHUNK):
            chunk = pairs[start:start + SQLITE_CHUNK]
            marks = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(f"SELECT {names} FROM {table} WHERE ({first}, {second}) IN (VALUES {marks}){extra}",
                           [value.isoformat() if isinstance(value, date) else value  # as Django stores them
                            for pair in chunk for value in pair])
            found.extend(cursor.fetchall())
    return found


class WriterThread:
    """A second thread that writes the batches put to it, at most `depth` behind the thread putting them.
    Subclasses say how one batch is written (`write`), and may open and close what the thread needs
    (`opened`, `closed`: its own connection, for example). An error in the thread is kept and raised in the
    putting thread at its next `put`, `drain` or `close`; every batch put is still taken off the queue, so
    the putting thread never waits for ever."""

    def __init__(self, *, name: str, depth: int = 2):
        self.batches: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def write(self, batch) -> None:
        raise NotImplementedError

    def opened(self) -> None:
        """Called on the thread before the first batch."""

    def closed(self) -> None:
        """Called on the thread after the last batch."""

    def put(self, batch) -> None:
        self._raise_error()
        self.batches.put(batch)

    def drain(self) -> None:
        """Wait until every batch so far is written (call before committing)."""
        self.batches.join()
        self._raise_error()

    def close(self, *, raise_error: bool = True) -> None:
        """Stop the thread once every batch put is written; `raise_error=False` when cleaning up after an
        error the caller is already handling."""
        self.batches.put(None)
        self.thread.join()
        if raise_error:
            self._raise_error()

    def _raise_error(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        try:
            self.opened()
        except BaseException as error:  # handed to the putting thread by _raise_error
            self.error = error
        while (batch := self.batches.get()) is not None:
            try:
                if self.error is None:
                    self.write(batch)
            except BaseException as error:
                self.error = error
            finally:
                self.batches.task_done()
        self.batches.task_done()
        self.closed()
