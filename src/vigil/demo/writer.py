"""Fast bulk writing through Django's own connection (so it takes part in the caller's transaction,
tests included): raw executemany on SQLite, psycopg 3 COPY on PostgreSQL. Rows arrive with their
primary keys already assigned; after a load, `sequences_reset` moves PostgreSQL's sequences past
them.

On PostgreSQL, `BackgroundWriter` writes on a second thread while the generator makes the next batch:
the server does the work in its own process and psycopg releases the GIL while it waits, so
generating and writing overlap on two cores. The thread uses the connection's underlying driver
connection and nothing else touches it meanwhile; the caller commits or rolls back after `drain`.
On SQLite the database works inside this process and a writer thread only fights the generator for
the GIL (measured: about 35 % slower), so `InlineWriter` writes in the generating thread."""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model

from vigil.bulk import WriterThread, rows_write

BatchRows = list[tuple[type[Model], Sequence[str], list[tuple]]]


def batch_writer() -> "InlineWriter | BackgroundWriter":
    return BackgroundWriter() if connection.vendor == "postgresql" else InlineWriter()


class InlineWriter:
    """Writes each batch as it is put."""

    def __init__(self):
        connection.ensure_connection()
        self.raw = connection.connection
        self.vendor = connection.vendor

    def put(self, batch: BatchRows) -> None:
        for model, columns, rows in batch:
            rows_write(self.raw, self.vendor, model, columns, rows)

    def drain(self) -> None:
        """Nothing is pending: every batch was written when it was put."""

    def __enter__(self) -> "InlineWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        return None


class BackgroundWriter(WriterThread):
    """Writes batches on a second thread, at most `depth` batches behind the generator, through the
    generator's own connection (so in its transaction)."""

    def __init__(self, depth: int = 2):
        connection.ensure_connection()
        self.raw = connection.connection
        self.vendor = connection.vendor
        super().__init__(name="demo-writer", depth=depth)

    def write(self, batch: BatchRows) -> None:
        for model, columns, rows in batch:
            rows_write(self.raw, self.vendor, model, columns, rows)

    def __enter__(self) -> "BackgroundWriter":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def session_prepare() -> None:
    """Give SQLite a page cache big enough to keep the random-keyed unique indexes (UUIDs) in memory
    while loading; the setting lasts as long as the connection."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -524288")  # KiB: 512 MiB at most
            # A synthetic load can simply be run again, so it need not wait for the disk at each
            # checkpoint; the setting lasts only as long as this connection. (SQLite refuses the
            # change inside a transaction, as in tests; there it makes no difference.)
            if not connection.in_atomic_block:
                cursor.execute("PRAGMA synchronous = OFF")


@contextmanager
def foreign_key_triggers_deferred_to_generator():
    """On PostgreSQL as a superuser, skip the per-row foreign key triggers while loading (as
    pg_restore --disable-triggers does): the generator assigns every key itself, and
    tests/demo/test_force.py checks every key of the generated rows. Restored at the end, inside
    the same transaction. Elsewhere, the database checks the keys as usual."""
    if connection.vendor != "postgresql" or not _is_superuser():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def next_ids(models: dict[str, type[Model]]) -> dict[str, int]:
    """The first free primary key of each table."""
    return {key: (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1 for key, model in models.items()}


def sequences_reset(models: Iterable[type[Model]]) -> None:
    """Move the id sequences past the keys the generator assigned (PostgreSQL only: SQLite's
    AUTOINCREMENT follows the largest key by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


@contextmanager
def sqlite_secondary_indexes_rebuilt_after(models: Iterable[type[Model]]):
    """Loading into empty SQLite tables, drop their secondary indexes first and build them again at
    the end (in `finally`, so a failed run still leaves them in place): building an index once over
    sorted data is far cheaper than updating it for every row in random order. A unique index built
    again also re-checks that the generator kept its keys unique. Elsewhere, or when any table
    already holds rows, nothing changes."""
    tables = [model._meta.db_table for model in models]
    if connection.vendor != "sqlite" or any(_has_rows(table) for table in tables):
        yield
        return
    marks = ", ".join("?" * len(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                       f"AND tbl_name IN ({marks})", tables)
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _, sql in indexes:
                cursor.execute(sql)


def _has_rows(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
        return cursor.fetchone() is not None
