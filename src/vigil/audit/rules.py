"""Who may use the audit log: auditors search it; auditors and administrators verify the chain."""

import uuid

import rules

from vigil.accounts.rules import has_role, is_administrator
from vigil.people.models import Restriction

is_auditor = has_role("auditor")

rules.add_perm("audit.search_events", is_auditor)
rules.add_perm("audit.verify_chain", is_auditor | is_administrator)


@rules.predicate
def owns_restriction_on(user, subject) -> bool:
    """The user owns the active restriction on this person (subject: a person's public id)."""
    if subject is None or not user.is_authenticated:
        return False
    try:
        person_id = uuid.UUID(str(subject))
    except ValueError:
        return False
    return Restriction.objects.filter(person__public_id=person_id, owner=user, lifted_at__isnull=True).exists()


# "Who has looked at this record": auditors, and the owner of the record's restriction. Case owners
# join this when cases have owners.
rules.add_perm("audit.view_record_viewers", is_auditor | owns_restriction_on)
