"""What every import writer shares (the writers themselves, one module per area, are in `writers`): the
row on its way in (`Item`), what a writer writes with (`Context`), what a writer is (`Writer`), the check
that refuses rows, fresh primary keys, values as the database stores them, and the import's own accounts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils.text import slugify

from vigil.accounts.models import Agency, User
from vigil.bulk import rows_write


@dataclass
class Item:
    """One checked row on its way in: `refs` holds the Vigil id of each reference field."""

    row_number: int
    source_id: str
    values: dict
    digest: str
    refs: dict[str, Any] = field(default_factory=dict)
    object_id: int | None = None  # set once written (or, for a correction, the record it updates)


@dataclass
class Context:
    """What a writer writes with. Written at once through `raw` (the driver connection, inside the batch's
    transaction), or, when `pending` is a list, collected there for a second connection to write and commit
    while the next batch is read (services.PipelinedCommit). Then the records of earlier batches may not be
    committed yet, so a writer keeps in `cache` what it made that a later batch must find (a phone number,
    a person by name and date of birth, a relationship)."""

    source_system: str
    now: datetime
    raw: Any = None
    pending: list | None = None
    cache: dict = field(default_factory=dict)

    def write(self, model: type[Model], columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.pending is not None:
            self.pending.append((model, columns, rows))
        else:
            rows_write(self.raw, connection.vendor, model, columns, rows)

    def remembered(self, name: str) -> dict:
        return self.cache.setdefault(name, {})


@dataclass(frozen=True)
class Writer:
    insert: Callable[[Context, list[Item]], None]
    update: Callable[[Context, Item], None]
    # Identifiers that must be unique among Vigil's own records too (model, field, row value name)
    unique: tuple[tuple[type[Model], str, str], ...] = ()
    audited_subjects: tuple[str, ...] = ()  # reference fields naming persons, for the audit log
    # Reasons (by row number) resolved rows cannot be written, for the batch's quarantine
    check: Callable[[Context, list[Item]], Reasons] | None = None
    # New rows only through ctx.write, reading only what earlier batches committed or ctx.cache holds: such a
    # batch may be written on a second connection while the next is read (services.PipelinedCommit)
    pipelined: bool = False


# --- Checks -------------------------------------------------------------------------------------------------
#
# Orders and MARAC referrals name things only the database knows (a MARAC area's code, an agency's code,
# whether the victim has a safeguarding case): each writer's `check` gives the reasons a resolved row cannot
# be written, for the batch to quarantine it. `insert`/`update` check again and raise RowRefused rather than
# write a row the check would refuse.


class RowRefused(ValueError):
    """A row its writer's check refuses reached the writer (the message names rows and reasons, no values)."""


Reasons = dict[int, list[str]]  # row number -> reasons


def refuse_unchecked(check: Callable[[Context, list[Item]], Reasons], ctx: Context, items: list[Item]) -> None:
    reasons = check(ctx, items)
    if reasons:
        raise RowRefused("; ".join(f"row {n}: {', '.join(r)}" for n, r in sorted(reasons.items())))


# --- Keys, values and accounts ------------------------------------------------------------------------------


def ids_reserve(model: type[Model], count: int) -> list[int]:
    """`count` fresh primary keys: from the table's sequence on PostgreSQL (safe beside other writers);
    after the largest key on SQLite, which has one writer at a time."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                           [table, count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        first = cursor.fetchone()[0] + 1
    return list(range(first, first + count))


def db_time(value: datetime) -> str:
    """A datetime as Django stores it: UTC text, read as UTC by PostgreSQL on a Django connection."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def db_date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def new_uuid() -> str:
    return uuid.uuid4().hex


def text_or_empty(value) -> str:
    return value or ""


def import_user(source_system: str, agency: Agency | None = None) -> User:
    """The account an import records its rows as (who referred, who recorded, who chaired), one per source
    system and agency: inactive, with an unusable password, so no one can sign in as it."""
    force = agency is None or agency.is_force
    if agency is None:
        agency = Agency.objects.filter(kind=Agency.Kind.FORCE).order_by("pk").first()
    system = slugify(source_system)[:60] or "source"
    username = f"import-{system}" if force else f"import-{system}-{agency.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role="control_system" if force else "partner_practitioner", agency=agency,
                    first_name="Import", last_name=source_system[:150], is_active=False)
        user.set_unusable_password()
        user.save()
    return user
