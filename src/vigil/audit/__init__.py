"""The audit log (DPA 2018 Part 3 s.62): every read of personal data and every change writes an event.

Other apps call:
- `vigil.audit.services.audit_record(*, action, actor=None, obj=None, object_type=None, object_id=None,
  subject_person_id=None, reason="", detail=None, request=None) -> AuditEvent`
- `vigil.audit.services.audit_verify() -> VerifyResult`
- `vigil.audit.selectors.audit_search(...)` and `record_viewers(...)` (auditors only, themselves audited)
Actions are `vigil.audit.models.Action` values.
"""
