"""Who may see people, their contact details and refuge addresses."""

import rules

from vigil.accounts.rules import has_role, is_force_user

# Force roles whose work is with individual victims and suspects. Analysts work on aggregates and
# auditors on the audit log; partner agencies see people only through shared MARAC cases.
PERSON_WORK_ROLES = (
    "call_taker", "control_room_supervisor", "dispatcher", "intelligence_researcher", "response_officer",
    "supervisor", "specialist_investigator",
    "repeat_case_officer", "neighbourhood_officer", "marac_coordinator",
)

works_with_people = is_force_user & has_role(*PERSON_WORK_ROLES)
# Refuge addresses: only those who plan the victim's safety with the refuge.
sees_refuge_addresses = is_force_user & has_role("specialist_investigator", "marac_coordinator")
# The page itself is open to auditors and people-work roles; the selector then checks, per person, that
# the user is an auditor or owns the record's restriction.
may_ask_who_looked = is_force_user & has_role("auditor", *PERSON_WORK_ROLES)
manages_restrictions = is_force_user & has_role("specialist_investigator", "supervisor", "administrator")

rules.add_perm("people.view_person", works_with_people)
rules.add_perm("people.search_people", works_with_people)
rules.add_perm("people.view_refuge_address", sees_refuge_addresses)
rules.add_perm("people.restrict_person", manages_restrictions)
rules.add_perm("people.view_record_viewers", may_ask_who_looked)
# Everything held about one person, disclosed for a subject access request or a court: the force's
# information-management work, which in Vigil is the auditor's (docs/security.md, "Subject access exports").
rules.add_perm("people.subject_access_export", is_force_user & has_role("auditor"))
