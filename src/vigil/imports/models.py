"""Imports of a force's existing records: each run, the rows it could not take (the quarantine), and the
source system's identifier of every record an import wrote."""

import uuid

from django.db import models


class ImportRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        INTERRUPTED = "interrupted", "Stopped before the end: it resumes where it stopped"
        LINKING = "linking", "Linking the new person records"
        FINISHED = "finished", "Finished"
        REFUSED = "refused", "The file could not be read"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30)
    source_system = models.CharField(max_length=40)
    file_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=10)
    file_sha256 = models.CharField(max_length=64)
    file_bytes = models.BigIntegerField()
    stored_file = models.CharField(max_length=300, help_text="The uploaded file, kept until the run finishes")
    dry_run = models.BooleanField(default=False)
    link_after = models.BooleanField(default=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    problem = models.CharField(max_length=300, blank=True, help_text="Why the file was refused, or why it stopped")
    # Every row up to and including `rows_committed` is saved, with the counts below, in the same transaction.
    rows_committed = models.PositiveIntegerField(default=0)
    bytes_committed = models.BigIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    persons_linked = models.PositiveIntegerField(null=True, blank=True)
    started_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    # Set when a process claims the run and at each batch it commits: a run still "running" whose heartbeat is
    # older than services.STALE_AFTER was left by a process that died, and may be resumed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.public_id}"

    @property
    def percent_done(self) -> int:
        if self.status in (self.Status.FINISHED, self.Status.LINKING):
            return 100
        return int(100 * self.bytes_committed / self.file_bytes) if self.file_bytes else 0

    @property
    def rows_done(self) -> int:
        return self.created + self.updated + self.unchanged + self.quarantined


class QuarantinedRow(models.Model):
    """A row that was not imported, with every reason, kept to be fixed and sent again."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="quarantine",
                            db_index=False)  # the unique (run, row_number) index serves
    row_number = models.PositiveIntegerField()
    source_id = models.CharField(max_length=80, blank=True)
    reasons = models.JSONField()
    values = models.JSONField(null=True, blank=True, help_text="The row as read, to fix and re-submit")
    raw = models.TextField(blank=True, help_text="The row's text, when it could not be read into columns")

    class Meta:
        ordering = ["run", "row_number"]
        constraints = [models.UniqueConstraint(fields=["run", "row_number"], name="quarantine_row_once")]

    def __str__(self) -> str:
        return f"Row {self.row_number} of {self.run}"


class SourceKey(models.Model):
    """Which Vigil record holds the source system's record `source_id` of a kind, and a digest of the row
    last imported into it: the same row again changes nothing; a corrected row updates the record."""

    source_system = models.CharField(max_length=40)
    kind = models.CharField(max_length=30)
    source_id = models.CharField(max_length=80)
    object_id = models.BigIntegerField()
    row_digest = models.CharField(max_length=40)
    # Runs are never deleted, so these need no index of their own (one fewer index to keep at each row written).
    first_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+", db_index=False)
    last_run = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source_system", "kind", "source_id"],
                                               name="source_key_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id} from {self.source_system}"
