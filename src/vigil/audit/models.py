"""The audit log: one append-only, hash-chained row for every read of personal data and every change.

Rows are written only by `vigil.audit.services.audit_record`, which numbers and seals them. The
application refuses to change or delete a row (here), and so does the database (triggers installed by
migration 0002, see `append_only.py`). The hash chain lets `audit_verify` detect a row changed by
someone who got past both.
"""

from django.conf import settings
from django.db import models

from vigil.accounts.roles import ROLE_BY_CODE


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


class DpaCategory(models.TextChoices):
    """The kinds of processing the Data Protection Act 2018, Part 3, section 62 says must be logged."""

    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure (including transfer)"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
    SECURITY = "security", "Security event (not a section 62 category)"


class Action(models.TextChoices):
    COLLECTION = "collection", "Collected personal data"
    ALTERATION = "alteration", "Changed personal data"
    CONSULTATION = "consultation", "Looked at personal data"
    DISCLOSURE = "disclosure", "Disclosed personal data"
    COMBINATION = "combination", "Combined records"
    ERASURE = "erasure", "Erased personal data"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed to sign in"
    LOCKOUT = "lockout", "Locked out"
    SIGN_IN_SECURITY = "sign_in_security", "Changed sign-in security"
    EXPORT = "export", "Exported data"
    DOWNLOAD = "download", "Downloaded a file"
    SEARCH = "search", "Searched"

    @property
    def dpa_category(self) -> "DpaCategory":
        return ACTION_DPA_CATEGORY[self]


ACTION_DPA_CATEGORY: dict[str, DpaCategory] = {
    Action.COLLECTION: DpaCategory.COLLECTION,
    Action.ALTERATION: DpaCategory.ALTERATION,
    Action.CONSULTATION: DpaCategory.CONSULTATION,
    Action.DISCLOSURE: DpaCategory.DISCLOSURE,
    Action.COMBINATION: DpaCategory.COMBINATION,
    Action.ERASURE: DpaCategory.ERASURE,
    Action.SIGN_IN: DpaCategory.SECURITY,
    Action.SIGN_IN_FAILED: DpaCategory.SECURITY,
    Action.LOCKOUT: DpaCategory.SECURITY,
    Action.SIGN_IN_SECURITY: DpaCategory.SECURITY,
    Action.EXPORT: DpaCategory.DISCLOSURE,
    Action.DOWNLOAD: DpaCategory.DISCLOSURE,
    Action.SEARCH: DpaCategory.CONSULTATION,
}

# Actions whose events show that someone saw a record ("who has looked at this record").
LOOKING_ACTIONS = frozenset(a for a, c in ACTION_DPA_CATEGORY.items()
                            if c in (DpaCategory.CONSULTATION, DpaCategory.DISCLOSURE))


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events cannot be changed")

    def bulk_create(self, objs, *args, **kwargs):
        raise AppendOnlyError("Audit events are written only by vigil.audit.services")

    def _append_sealed(self, events: list) -> None:
        """For vigil.audit.services alone: insert events already numbered, chained and sealed, in one
        statement (the database triggers still refuse any later change)."""
        if any(not (e._state.adding and e.hash and e.sequence) for e in events):
            raise AppendOnlyError("Audit events are written only by vigil.audit.services")
        super().bulk_create(events)

    def update_or_create(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed")

    def _raw_delete(self, using):
        raise AppendOnlyError("Audit events cannot be deleted")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(editable=False)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="audit_events", editable=False)
    # Copied when the event is written, so later changes to the user do not rewrite history.
    actor_role = models.CharField(max_length=40, blank=True, editable=False)
    actor_agency = models.CharField(max_length=40, blank=True, editable=False)
    action = models.CharField(max_length=20, choices=Action.choices, editable=False)
    object_type = models.CharField(max_length=100, blank=True, editable=False)
    object_id = models.CharField(max_length=64, blank=True, editable=False)
    subject_person_id = models.UUIDField(null=True, blank=True, editable=False)
    reason = models.TextField(blank=True, editable=False)
    request_id = models.CharField(max_length=32, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    user_agent = models.CharField(max_length=200, blank=True, editable=False)
    detail = models.JSONField(default=dict, blank=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["subject_person_id", "occurred_at"], name="audit_subject_idx"),
            models.Index(fields=["object_id", "occurred_at"], name="audit_object_idx"),
            models.Index(fields=["actor", "occurred_at"], name="audit_actor_idx"),
            models.Index(fields=["occurred_at"], name="audit_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"Audit event #{self.sequence}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{self} cannot be changed")
        if not self.hash or not self.sequence:
            raise AppendOnlyError("Audit events are written only by vigil.audit.services.audit_record")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self} cannot be deleted")

    @property
    def action_label(self) -> str:
        return Action(self.action).label

    @property
    def dpa_category(self) -> DpaCategory:
        return ACTION_DPA_CATEGORY[self.action]

    @property
    def actor_role_name(self) -> str:
        role = ROLE_BY_CODE.get(self.actor_role)
        return role.name if role else self.actor_role
