"""Importing a force's existing records: nothing lost, nothing doubled.

`import_create` keeps the uploaded file and makes a run; `import_run` reads it in batches. Each batch is one
transaction: its good rows (new records in bulk, corrected ones updated, unchanged ones left alone), its
bad rows (into the quarantine, with every reason) and the run's checkpoint commit together, so a run
stopped at any moment resumes after the last batch saved and ends as an uninterrupted run would.
`import_link` then links the new person records. Every run is audited as a collection of personal data.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from vigil.audit.models import Action
from vigil.audit.services import audit_record
from vigil.bulk import WriterThread, rows_matching, rows_write
from vigil.files import private_directory, private_file_open
from vigil.incidents.models import Area
from vigil.people import normalise
from vigil.people.models import PersonRecord

from . import reading, schema
from .models import ImportRun, QuarantinedRow, SourceKey
from .writers import WRITERS
from .writing import Context, Item, ids_reserve

logger = logging.getLogger(__name__)

BATCH_ROWS = 10000
STALE_AFTER = timedelta(minutes=10)  # a run "running" with no batch committed for this long was left by a dead process
MIN_RECORDS_TO_TRAIN = 1000  # below this, training a matching model on the force's records means little
Progress = Callable[[ImportRun], None]


class ImportRefused(ValueError):
    """The import cannot start: an unknown kind, an empty source system, an unreadable file."""


class ImportInterrupted(RuntimeError):
    """A run stopped by an error. It names the run, the row and the error's type only: the error's own message
    (a database's may quote whole rows) must not reach the task's stored result or a log."""


def imports_dir() -> Path:
    """The folder of uploaded files, readable by this account only (they hold personal data)."""
    return private_directory(getattr(settings, "VIGIL_IMPORTS_DIR", settings.VAR_DIR / "imports"))


def _claimable() -> Q:
    """Runs a process may take: waiting, stopped, or left "running" by a process that died."""
    return (Q(status__in=[ImportRun.Status.QUEUED, ImportRun.Status.INTERRUPTED])
            | Q(status=ImportRun.Status.RUNNING, heartbeat_at__lt=timezone.now() - STALE_AFTER)
            | Q(status=ImportRun.Status.RUNNING, heartbeat_at__isnull=True))


def import_create(*, kind: str, source_system: str, file: IO[bytes], file_name: str, by=None,
                  dry_run: bool = False, link_after: bool = True, now: datetime | None = None,
                  request=None) -> ImportRun:
    """Keep the file and make a run for it (not yet started). The same file, kind and source system with
    an unfinished run resumes that run instead of starting another: that run comes back with `reused` set
    (see `import_resume` before queueing it again)."""
    if kind not in schema.KINDS:
        raise ImportRefused(f"Unknown kind of record: choose one of {', '.join(schema.KINDS)}")
    source_system = (source_system or "").strip()
    if not source_system or len(source_system) > 40:
        raise ImportRefused("Name the source system the file comes from (at most 40 characters)")
    now = now or timezone.now()
    run = ImportRun(kind=kind, source_system=source_system, file_name=Path(file_name).name[:200], dry_run=dry_run,
                    link_after=link_after, started_by=by, created_at=now)
    stored = imports_dir() / f"{run.public_id}.upload"
    digest, size = hashlib.sha256(), 0
    with private_file_open(stored, text=False, exclusive=True) as out:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    if size == 0:
        stored.unlink()
        raise ImportRefused("The file is empty")
    unfinished = ImportRun.objects.filter(
        kind=kind, source_system=source_system, file_sha256=digest.hexdigest(), dry_run=dry_run,
        status__in=[ImportRun.Status.QUEUED, ImportRun.Status.RUNNING, ImportRun.Status.INTERRUPTED]).first()
    if unfinished is not None and Path(unfinished.stored_file).exists():
        stored.unlink()
        unfinished.reused = True
        return unfinished
    with stored.open("rb") as head:
        run.file_format = reading.format_of(file_name, head.read(64))
    run.file_sha256, run.file_bytes, run.stored_file = digest.hexdigest(), size, str(stored)
    run.save()
    run.reused = False
    return run


def import_resume(*, run: ImportRun) -> bool:
    """Queue a stopped run again (one stopped, or left running by a process that died): True when this call
    did, so that it is queued once however often it is asked (a double click)."""
    stopped = _claimable() & ~Q(status=ImportRun.Status.QUEUED)
    changed = ImportRun.objects.filter(stopped, pk=run.pk).update(status=ImportRun.Status.QUEUED)
    run.refresh_from_db()
    return changed == 1


def _digest(values: dict) -> str:
    """A digest of a checked row (its values in the schema's order): the same row gives the same digest."""
    return hashlib.sha1(repr(tuple(values.values())).encode()).hexdigest()


def _clean_text(value):
    """Values kept in the quarantine: bytes that were not UTF-8 become U+FFFD (the database keeps text)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {str(_clean_text(k)): _clean_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean_text(v) for v in value]
    return value


class _DryRunRollback(Exception):
    pass


class _Batch:
    """One batch of rows on its way in."""

    def __init__(self, run: ImportRun, kind: schema.Kind):
        self.run, self.kind = run, kind
        self.items: list[Item] = []
        self.quarantine: list[QuarantinedRow] = []
        self.last_row = 0
        self.bytes_read = 0

    def reject(self, number: int, source_id: str, reasons: list[str], values=None, raw: str = "") -> None:
        self.quarantine.append(QuarantinedRow(run=self.run, row_number=number, source_id=_clean_text(source_id)[:80],
                                              reasons=reasons, values=_clean_text(values), raw=_clean_text(raw)))


def _rows_in_batches(run: ImportRun, kind: schema.Kind, raw_file, *, today, areas,
                     seen: dict[str, int]) -> Iterator[_Batch]:
    def checked(values: dict):
        clean, errors = schema.row_clean(kind, values, today=today, postcode=normalise.normalise_postcode,
                                         phone=normalise.normalise_phone, areas=areas)
        if clean is not None and clean.source_id in seen:
            errors = [f"{kind.id_field} is also on row {seen[clean.source_id]}: each identifier once per file"]
        return clean, errors

    # Rows saved before an interruption are only remembered, as the uninterrupted run did: a row it took (no
    # quarantine entry) by its identifier; a quarantined one only if it passed the checks (and was refused later).
    quarantined = set(run.quarantine.values_list("row_number", flat=True)) if run.rows_committed else set()
    batch = _Batch(run, kind)
    for row in reading.rows_read(raw_file, run.file_format):
        source_id = ""
        if row.values is not None:
            source_id = str(row.values.get(kind.id_field) or "").strip()
        elif row.partial:
            source_id = str(row.partial.get(kind.id_field) or "").strip()
        if row.number <= run.rows_committed:
            if row.number not in quarantined:
                seen.setdefault(source_id, row.number)
            elif row.values is not None and not (clean := checked(row.values))[1]:
                seen[clean[0].source_id] = row.number
            continue
        if row.values is None:
            batch.reject(row.number, source_id, [row.problem], row.partial, row.raw)
        else:
            clean, errors = checked(row.values)
            if errors:
                batch.reject(row.number, source_id, errors, row.values)
            else:
                seen[clean.source_id] = row.number
                batch.items.append(Item(row.number, clean.source_id, clean.values, _digest(clean.values)))
        batch.last_row = row.number
        if len(batch.items) + len(batch.quarantine) >= BATCH_ROWS:
            batch.bytes_read = raw_file.tell()
            yield batch
            batch = _Batch(run, kind)
    batch.bytes_read = raw_file.tell()
    yield batch


def _resolve_references(batch: _Batch, source_system: str) -> None:
    """Turn each reference into the Vigil id of the record imported under it; a row naming a record not
    imported (yet) goes to the quarantine."""
    ref_fields = [f for f in batch.kind.fields if f.type in ("ref", "refs")]
    if not ref_fields:
        return
    wanted: dict[str, set[str]] = {}
    for item in batch.items:
        for spec in ref_fields:
            value = item.values.get(spec.name)
            if value:
                wanted.setdefault(spec.ref_kind, set()).update(value if spec.type == "refs" else [value])
    known: dict[tuple[str, str], int] = {}
    for ref_kind, ids in wanted.items():
        known.update(((ref_kind, source_id), object_id)
                     for _, source_id, object_id, _ in _source_keys(source_system, ref_kind, ids))
    kept = []
    for item in batch.items:
        errors = []
        for spec in ref_fields:
            value = item.values.get(spec.name)
            if not value:
                continue
            if spec.type == "refs":
                missing = [ref for ref in value if (spec.ref_kind, ref) not in known]
                item.refs[spec.name] = [known[(spec.ref_kind, ref)] for ref in value if (spec.ref_kind, ref) in known]
            else:
                missing = [] if (spec.ref_kind, value) in known else [value]
                item.refs[spec.name] = known.get((spec.ref_kind, value))
            if missing:
                errors.append(f"{spec.name} names {_a(spec.ref_kind)} not imported from {source_system} "
                              f"(import the {spec.ref_kind} file first)")
        if errors:
            batch.reject(item.row_number, item.source_id, errors, _plain(item.values))
        else:
            kept.append(item)
    batch.items = kept


SOURCE_KEY_COLUMNS = ["id", "source_system", "kind", "source_id", "object_id", "row_digest", "first_run_id",
                      "last_run_id"]


def _source_keys(source_system: str, kind: str, source_ids) -> list[tuple]:
    """(id, source_id, object_id, row_digest) of the keys of `kind` among `source_ids`."""
    return rows_matching(SourceKey, ["id", "source_id", "object_id", "row_digest"], "source_id", set(source_ids),
                         where="source_system = %s AND kind = %s", params=[source_system, kind])


def _a(kind: str) -> str:
    return {"addresses": "an address", "phones": "a phone", "persons": "a person", "incidents": "an incident",
            "crimes": "a crime"}.get(kind, kind)


def _plain(values: dict) -> dict:
    return {k: (";".join(v) if isinstance(v, list) else "" if v is None else str(v)) for k, v in values.items()}


def _unique_elsewhere(batch: _Batch, writer, new_or_changed: list[Item], ctx: Context) -> list[Item]:
    """Identifiers Vigil keeps unique (an incident's reference) must not already belong to another record
    (one saved, or one this run has written and may not have committed yet)."""
    for model, field, value_name in writer.unique:
        values: dict[str, Item] = {}
        clash: set[int] = set()
        written = ctx.remembered(f"unique {model._meta.label}.{field}")
        for item in new_or_changed:
            value = item.values.get(value_name) or item.source_id
            if value in values or (value in written and item.object_id is None):
                clash.add(item.row_number)
            values.setdefault(value, item)
        taken = dict(rows_matching(model, [field, "id"], field, values))
        for item in new_or_changed:
            value = item.values.get(value_name) or item.source_id
            if item.row_number in clash or (value in taken and taken[value] != item.object_id):
                batch.reject(item.row_number, item.source_id,
                             [f"{value_name} {value} is already used by another record in Vigil"], _plain(item.values))
        rejected = {q.row_number for q in batch.quarantine}
        new_or_changed = [item for item in new_or_changed if item.row_number not in rejected]
        written.update((item.values.get(value_name) or item.source_id, True) for item in new_or_changed)
    return new_or_changed


@dataclass
class _Sorted:
    new: list[Item]
    changed: list[Item]
    unchanged: int
    keys: dict


def _batch_write(run: ImportRun, batch: _Batch, ctx: Context) -> tuple[int, int, int]:
    """Write one batch: returns (created, updated, unchanged)."""
    return _batch_apply(run, ctx, _batch_sort(run, batch, ctx))


def _batch_sort(run: ImportRun, batch: _Batch, ctx: Context) -> _Sorted:
    """Resolve the batch's references and sort its rows into new, corrected and unchanged (reading only)."""
    writer = WRITERS[run.kind]
    _resolve_references(batch, run.source_system)
    keys = {row[1]: row for row in _source_keys(run.source_system, run.kind, [i.source_id for i in batch.items])}
    new, changed, unchanged = [], [], 0
    for item in batch.items:
        key = keys.get(item.source_id)
        if key is None:
            new.append(item)
        elif key[3] == item.digest:
            unchanged += 1
        else:
            item.object_id = key[2]
            changed.append(item)
    kept = set(id(i) for i in _unique_elsewhere(batch, writer, new + changed, ctx))
    if writer.check is not None:  # what only the database knows (a MARAC area's code, the victim's case)
        candidates = [i for i in new + changed if id(i) in kept]
        refused = writer.check(ctx, candidates)
        for item in candidates:
            if item.row_number in refused:
                batch.reject(item.row_number, item.source_id, refused[item.row_number], _plain(item.values))
                kept.discard(id(item))
    return _Sorted([i for i in new if id(i) in kept], [i for i in changed if id(i) in kept], unchanged, keys)


def _batch_apply(run: ImportRun, ctx: Context, rows: _Sorted) -> tuple[int, int, int]:
    writer, new, changed, keys = WRITERS[run.kind], rows.new, rows.changed, rows.keys
    if new:
        writer.insert(ctx, new)
        ctx.write(SourceKey, SOURCE_KEY_COLUMNS, [
            (pk, run.source_system, run.kind, item.source_id, item.object_id, item.digest, run.pk, run.pk)
            for pk, item in zip(ids_reserve(SourceKey, len(new)), new, strict=True)])
    for item in changed:
        writer.update(ctx, item)
        SourceKey.objects.filter(pk=keys[item.source_id][0]).update(
            object_id=item.object_id, row_digest=item.digest, last_run=run)
    return len(new), len(changed), rows.unchanged


def import_run(*, run: ImportRun, progress: Progress | None = None, now: datetime | None = None,
               request=None) -> ImportRun:
    """Read the run's file from where it stopped to the end. On any failure the batch in hand is undone,
    the run is marked interrupted and `ImportInterrupted` raised: running it again resumes. A run is read by
    one process at a time: one already running (or finished) is returned as it is."""
    kind = schema.KINDS[run.kind]
    now = now or timezone.now()
    today = timezone.localdate(now)
    claimed = ImportRun.objects.filter(_claimable(), pk=run.pk).update(
        status=ImportRun.Status.RUNNING, started_at=Coalesce("started_at", now), heartbeat_at=timezone.now())
    run.refresh_from_db()
    if not claimed:
        return run
    areas = dict(Area.objects.values_list("code", "pk"))
    seen: dict[str, int] = {}
    started = time.monotonic()
    counts_before = (run.created, run.updated, run.unchanged, run.quarantined)
    try:
        with ExitStack() as stack:
            raw_file = stack.enter_context(open(run.stored_file, "rb"))
            batches = stack.enter_context(closing(_rows_in_batches(run, kind, raw_file, today=today, areas=areas,
                                                                   seen=seen)))
            pipeline = None
            if PipelinedCommit.usable(run):
                pipeline = PipelinedCommit(run, Context(source_system=run.source_system, now=now))
                stack.callback(pipeline.close, raise_error=False)  # its error is raised by drain
            for batch in batches:
                _batch_commit(run, batch, now=now, pipeline=pipeline)
                if progress is not None:
                    progress(run)
            if pipeline is not None:
                pipeline.drain()
    except reading.FileUnreadable as error:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.REFUSED, problem=str(error)[:300],
                                                   finished_at=timezone.now())
        run.refresh_from_db()
        _file_discard(run)
        _audit(run, counts_before, request=request)
        return run
    except BaseException as error:
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.INTERRUPTED, problem=f"Stopped after row {run.rows_committed}: "
                                                         f"{type(error).__name__}. Start it again to resume.")
        logger.warning("import %s interrupted after row %s (%s)", run.public_id, run.rows_committed,
                       type(error).__name__)
        run.refresh_from_db()
        _audit(run, counts_before, request=request)
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: no message to leak
            raise
        raise ImportInterrupted(f"import run {run.public_id} interrupted after row {run.rows_committed}: "
                                f"{type(error).__name__}") from None
    done = ImportRun.Status.LINKING if _needs_link(run) else ImportRun.Status.FINISHED
    ImportRun.objects.filter(pk=run.pk).update(status=done, problem="", finished_at=timezone.now(),
                                               bytes_committed=run.file_bytes)
    run.refresh_from_db()
    _audit(run, counts_before, request=request)
    logger.info("import %s: %s rows in %.1f s", run.public_id, run.rows_committed, time.monotonic() - started)
    if run.status == ImportRun.Status.FINISHED:
        _file_discard(run)
    return run


def _counts_add(run: ImportRun, batch: _Batch, counts: tuple[int, int, int]) -> None:
    run.created += counts[0]
    run.updated += counts[1]
    run.unchanged += counts[2]
    run.quarantined += len(batch.quarantine)
    run.rows_committed = max(run.rows_committed, batch.last_row)
    run.bytes_committed = batch.bytes_read
    run.heartbeat_at = timezone.now()


def _batch_commit(run: ImportRun, batch: _Batch, *, now: datetime, pipeline: PipelinedCommit | None) -> None:
    if pipeline is not None:
        pipeline.ctx.pending, pipeline.ctx.raw = [], None
        rows = _batch_sort(run, batch, pipeline.ctx)
        if not rows.changed:  # new rows only: written and committed by the pipeline's thread
            counts = _batch_apply(run, pipeline.ctx, rows)
            pipeline.put(batch, pipeline.ctx.pending, counts)
            pipeline.ctx.pending = None
            _counts_add(run, batch, counts)
            return
        pipeline.drain()  # corrections change saved records: after everything before them, in this thread
    with transaction.atomic():
        connection.ensure_connection()
        if connection.vendor == "postgresql":
            # The batch and its checkpoint commit together, so a commit lost in a crash is simply imported
            # again on resume: the import need not wait for each commit to reach the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        if pipeline is not None:
            pipeline.ctx.pending, pipeline.ctx.raw = None, connection.connection
            counts = _batch_apply(run, pipeline.ctx, rows)
        elif run.dry_run:
            try:
                with transaction.atomic():
                    counts = _batch_write(run, batch, Context(source_system=run.source_system, now=now,
                                                              raw=connection.connection))
                    raise _DryRunRollback(counts)
            except _DryRunRollback as rolled_back:
                counts = rolled_back.args[0]
        else:
            counts = _batch_write(run, batch, Context(source_system=run.source_system, now=now,
                                                      raw=connection.connection))
        QuarantinedRow.objects.bulk_create(batch.quarantine, batch_size=1000)
        _counts_add(run, batch, counts)
        run.save(update_fields=["created", "updated", "unchanged", "quarantined", "rows_committed",
                                "bytes_committed", "heartbeat_at"])


QUARANTINE_COLUMNS = ["id", "run_id", "row_number", "source_id", "reasons", "values", "raw"]


class PipelinedCommit(WriterThread):
    """On PostgreSQL, outside any transaction: each batch of new rows is written and committed, with its
    quarantined rows and the run's checkpoint, by a thread on a second connection, while this thread reads,
    checks and looks up the next batch. The database works in its own process, so the two overlap on two
    cores. At most `depth` batches wait; an error in the thread stops the run at the next batch, and every
    batch committed before it stands, with its checkpoint, as in the plain path."""

    def __init__(self, run: ImportRun, ctx: Context, depth: int = 2):
        self.run, self.ctx = run, ctx
        # A second wrapper of the same database (its own connection; Django's session set-up: UTC, as the
        # rows are written). `connection` is only a proxy, hence the wrapper's class from `connections`.
        self.writer_connection = type(connections[DEFAULT_DB_ALIAS])(dict(connection.settings_dict))
        super().__init__(name="import-writer", depth=depth)

    @staticmethod
    def usable(run: ImportRun) -> bool:
        return (connection.vendor == "postgresql" and not connection.in_atomic_block and not run.dry_run
                and WRITERS[run.kind].pipelined)

    def put(self, batch: _Batch, writes: list, counts: tuple[int, int, int]) -> None:
        self._raise_error()
        ids = ids_reserve(QuarantinedRow, len(batch.quarantine))
        quarantine = [(pk, self.run.pk, q.row_number, q.source_id, json.dumps(q.reasons),
                       None if q.values is None else json.dumps(q.values), q.raw)
                      for pk, q in zip(ids, batch.quarantine, strict=True)]
        if quarantine:
            writes = [*writes, (QuarantinedRow, QUARANTINE_COLUMNS, quarantine)]
        super().put((writes, counts, len(quarantine), batch.last_row, batch.bytes_read))

    def opened(self) -> None:
        self.writer_connection.ensure_connection()

    def write(self, work) -> None:
        self._commit(self.writer_connection.connection, *work)

    def closed(self) -> None:
        self.writer_connection.close()

    def _commit(self, raw, writes, counts, quarantined: int, last_row: int, bytes_read: int) -> None:
        with raw.transaction(), raw.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            for model, columns, rows in writes:
                rows_write(raw, "postgresql", model, columns, rows)
            cursor.execute("UPDATE imports_importrun SET created = created + %s, updated = updated + %s, "
                           "unchanged = unchanged + %s, quarantined = quarantined + %s, "
                           "rows_committed = GREATEST(rows_committed, %s), bytes_committed = %s, heartbeat_at = %s "
                           "WHERE id = %s", [*counts, quarantined, last_row, bytes_read, timezone.now(), self.run.pk])


def _needs_link(run: ImportRun) -> bool:
    return run.kind == "persons" and run.link_after and not run.dry_run and (run.created or run.updated) > 0


def import_link(*, run: ImportRun, progress: Callable[[str], None] = lambda _m: None) -> ImportRun:
    """Link the person records (the re-link: train, join what the model is sure of, queue the rest for
    review), so that repeat victims and serial perpetrators are found across the imported history."""
    from vigil.linkage.relink import relink_run

    if run.status != ImportRun.Status.LINKING:
        return run
    records = PersonRecord.objects.count()
    joins, problem = None, ""
    if records < MIN_RECORDS_TO_TRAIN:
        problem = (f"Too few person records ({records}) to train the matching model: they are linked by the legacy "
                   f"rule (the same names and date of birth) until there are {MIN_RECORDS_TO_TRAIN}")
    else:
        try:
            joins = relink_run(progress=progress).get("joins", 0)
        except Exception as error:  # the records stay linked by the legacy rule; the import itself is done
            logger.warning("import %s: re-link failed (%s)", run.public_id, type(error).__name__)
            problem = (f"Linking stopped ({type(error).__name__}): the records are linked by the legacy rule; "
                       "run vigil relink to try again")
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.FINISHED, persons_linked=joins,
                                               problem=problem, finished_at=timezone.now())
    run.refresh_from_db()
    _file_discard(run)
    return run


def _file_discard(run: ImportRun) -> None:
    """The uploaded file holds personal data: once every row is either saved or in the quarantine, it goes."""
    Path(run.stored_file).unlink(missing_ok=True)


def _audit(run: ImportRun, counts_before: tuple[int, int, int, int], *, request=None) -> None:
    created, updated, unchanged, quarantined = (now - before for now, before in zip(
        (run.created, run.updated, run.unchanged, run.quarantined), counts_before, strict=True))
    detail = {"kind": run.kind, "source_system": run.source_system, "dry_run": run.dry_run, "status": run.status,
              "rows_committed": run.rows_committed, "created": created, "updated": updated,
              "unchanged": unchanged, "quarantined": quarantined}
    action = Action.ALTERATION if updated and not created else Action.COLLECTION
    audit_record(action=action, actor=run.started_by, object_type="imports.ImportRun", object_id=str(run.public_id),
                 reason=f"Import of {run.kind} from {run.source_system}", detail=detail, request=request)
