"""Default deny, checked for every URL and every role.

ACCESS declares, for every URL name, who may open it. The first test fails the build when a URL is
added without a declaration here or without a permission on its view; the second requests every URL
as every role (and as an anonymous visitor) and checks the answer against the table.
"""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import agency_create, user_create
from vigil.accounts.access import PUBLIC, declared_permission
from vigil.accounts.roles import ROLES

ALL_ROLES = frozenset(r.code for r in ROLES)
PERSON_WORK = frozenset({
    "call_taker", "control_room_supervisor", "dispatcher", "intelligence_researcher", "response_officer",
    "supervisor", "specialist_investigator",
    "repeat_case_officer", "neighbourhood_officer", "marac_coordinator",
})
ANYONE = "anyone"  # public: no sign-in needed
CONTROL_ROOM = frozenset({"call_taker", "control_room_supervisor", "dispatcher", "intelligence_researcher"})
RECORDS_CALLS = frozenset({"call_taker", "control_room_supervisor"})
ASSESSES = frozenset({"response_officer", "supervisor", "specialist_investigator"})
READS_ASSESSMENTS = ASSESSES | {"neighbourhood_officer", "repeat_case_officer", "marac_coordinator"}
WORKS_CASES = ASSESSES | {"neighbourhood_officer", "repeat_case_officer"}
READS_CASES = WORKS_CASES | {"marac_coordinator"}
LINKAGE_LISTS = frozenset({"supervisor", "repeat_case_officer", "neighbourhood_officer"})

ACCESS: dict[str, frozenset[str] | str] = {
    "accounts:home": ALL_ROLES,
    "accounts:sign-in": ANYONE,
    "accounts:sign-out": ANYONE,
    "accounts:second-factor": ALL_ROLES,
    "accounts:second-factor-set-up": ALL_ROLES,
    "people:search": PERSON_WORK,
    "people:detail": PERSON_WORK,
    "people:open-restricted": PERSON_WORK,
    "people:safe-contact": PERSON_WORK,
    "people:viewers": PERSON_WORK | {"auditor"},
    # Subject access and court exports (people.subject_access_export): auditors; a random id is 404 for them.
    "people:subject-access": frozenset({"auditor"}),
    "audit:search": frozenset({"auditor"}),
    "audit:verify": frozenset({"auditor", "administrator"}),
    "api:root": ALL_ROLES,
    "api:schema": ALL_ROLES,
    # POST-only: the control system's GET is 405 (not denied), anyone else's 403.
    "api:incidents": frozenset({"control_system"}),
    # With no search given, an allowed role's GET is 400 (not denied).
    "api:history": CONTROL_ROOM | {"response_officer", "supervisor", "control_system"},
    # Risk assessments: with no incident given, an allowed role's list GET is 400 (not denied); a random
    # id is 404; gradings are POST-only, so a reviewer's GET is 405.
    "api:assessments": READS_ASSESSMENTS,
    "api:assessment": READS_ASSESSMENTS,
    "api:assessment-gradings": frozenset({"supervisor", "specialist_investigator"}),
    # Cases: a random id is 404 for an allowed role; the custody events and task completion are POST-only (405).
    "api:cases": READS_CASES,
    "api:case": READS_CASES,
    "api:case-contacts": READS_CASES,
    "api:case-custody": READS_CASES,
    "api:case-orders": READS_CASES,
    "api:custody-disposal": WORKS_CASES,
    "api:custody-court-outcome": WORKS_CASES,
    "api:tasks": READS_CASES,
    "api:task-complete": WORKS_CASES,
    # MARAC (marac.view_marac: police who work MARAC and partner practitioners): a random id is 404 for an
    # allowed role; attendance, complete and cancel are POST-only (405).
    "api:marac-referrals": (VIEWS_MARAC := frozenset({"marac_coordinator", "specialist_investigator",
                                                     "repeat_case_officer", "partner_practitioner"})),
    "api:marac-referral": VIEWS_MARAC,
    "api:marac-referral-research": VIEWS_MARAC,
    "api:marac-meetings": VIEWS_MARAC,
    "api:marac-meeting": VIEWS_MARAC,
    "api:marac-meeting-attendance": frozenset({"marac_coordinator"}),
    "api:marac-actions": VIEWS_MARAC,
    "api:marac-action-complete": VIEWS_MARAC,
    "api:marac-action-cancel": VIEWS_MARAC,
    "control:calls": RECORDS_CALLS,
    "control:call-start": RECORDS_CALLS,
    "control:call-intake": RECORDS_CALLS,
    "control:call-autosave": RECORDS_CALLS,
    "control:call-person-add": RECORDS_CALLS,
    "control:address-lookup": RECORDS_CALLS,
    "control:call-history": CONTROL_ROOM | {"response_officer", "supervisor", "control_system"},
    "control:officer-brief": CONTROL_ROOM | {"response_officer", "supervisor"},
    "control:checks": CONTROL_ROOM | {"response_officer"},
    "control:check-work": CONTROL_ROOM | {"response_officer"},
    "risk:assessments": ASSESSES,
    "risk:assessment-start": ASSESSES,
    "risk:assessment": ASSESSES,
    "risk:answer": ASSESSES,
    "risk:grade": ASSESSES,
    "risk:scene": ASSESSES,
    "risk:evidence-add": ASSESSES,
    "risk:evidence": READS_ASSESSMENTS,
    "risk:evidence-file": READS_ASSESSMENTS,
    "risk:children": READS_ASSESSMENTS,
    "risk:child-notification-sent": ASSESSES,
    "risk:supervision": frozenset({"supervisor"}),
    "risk:supervise": frozenset({"supervisor"}),
    "risk:supervision-report": frozenset({"supervisor", "analyst"}),
    "risk:specialist": frozenset({"specialist_investigator"}),
    "risk:specialist-review": frozenset({"specialist_investigator"}),
    "risk:capacity": frozenset({"analyst", "supervisor", "specialist_investigator"}),
    "control:call-reviews": frozenset({"control_room_supervisor"}),
    "control:call-review": frozenset({"control_room_supervisor"}),
    # The live board. Acknowledge is POST-only: a supervisor's GET is 405 (not denied), anyone else's 403.
    "control:board": frozenset({"control_room_supervisor"}),
    "control:board-rows": frozenset({"control_room_supervisor"}),
    "control:board-acknowledge": frozenset({"control_room_supervisor"}),
    # Safeguarding cases (one line per route; keep each area's routes together).
    "cases:my-work": READS_CASES,
    # Ownership: a random id is 404 for an allowed role; accept, withdraw and task-done are POST-only (405).
    "cases:case": READS_CASES,
    "cases:handover-propose": WORKS_CASES,
    "cases:handover-accept": WORKS_CASES,
    "cases:handover-reject": WORKS_CASES,
    "cases:handover-withdraw": WORKS_CASES,
    "cases:take-back": frozenset({"supervisor"}),
    "cases:case-close": WORKS_CASES,
    "cases:task-done": READS_CASES,
    # Timelines: a random id is 404 for an allowed role. Export: specialist investigators, supervisors, auditors.
    "cases:timeline": READS_CASES,
    "cases:timeline-export": frozenset({"specialist_investigator", "supervisor", "auditor"}),
    "cases:person-timeline": READS_CASES,
    "cases:person-timeline-export": frozenset({"specialist_investigator", "supervisor", "auditor"}),
    "cases:order-record": WORKS_CASES,
    "cases:order-end": WORKS_CASES,
    "cases:order-vary": WORKS_CASES,
    "cases:breach-record": WORKS_CASES,
    "cases:referral-send": WORKS_CASES,
    # Partner practitioners see only referrals to their own agency (a random id is 404, not denied).
    "cases:referrals-received": WORKS_CASES | {"partner_practitioner"},
    "cases:referral-acknowledge": WORKS_CASES | {"partner_practitioner"},
    "cases:disclosures": frozenset({"specialist_investigator", "supervisor"}),
    "cases:disclosure-receive": frozenset({"specialist_investigator", "supervisor"}),
    "cases:disclosure": frozenset({"specialist_investigator", "supervisor"}),
    "cases:disclosure-stage": frozenset({"specialist_investigator", "supervisor"}),
    "cases:disclosure-decide": frozenset({"specialist_investigator", "supervisor"}),
    "cases:worker-status": frozenset({"administrator"}),
    # Imports (imports.manage): force administrators. A random id is 404; an unknown kind's template is 404;
    # resume is POST-only (405).
    "imports:*": frozenset({"administrator"}),
    # Custody and court; victim contact (a random id is 404 for an allowed role).
    "cases:custody-arrest": WORKS_CASES,
    "cases:custody-disposal": WORKS_CASES,
    "cases:custody-court-outcome": WORKS_CASES,
    "cases:custody-release-date": WORKS_CASES,
    "cases:contact-log": WORKS_CASES,
    "cases:contact-plan": WORKS_CASES,
    # Repeat victims, serial perpetrators and counter-allegations: neighbourhood officers see their own
    # areas' lists (another area is 403); a random id is 404 for an allowed role.
    "linkage:repeat-victims": LINKAGE_LISTS,
    "linkage:repeat-queue": frozenset({"supervisor", "repeat_case_officer"}),
    "linkage:repeat-plan": LINKAGE_LISTS,
    "linkage:serial-perpetrators": LINKAGE_LISTS,
    "linkage:perpetrator-plan": LINKAGE_LISTS,
    "linkage:counter-allegations": frozenset({"supervisor", "specialist_investigator", "repeat_case_officer"}),
    "linkage:counter-allegation": frozenset({"supervisor", "specialist_investigator", "repeat_case_officer"}),
    # Who is who: researchers and supervisors decide (a random id is 404 for an allowed role).
    "linkage:reviews": frozenset({"intelligence_researcher", "supervisor"}),
    "linkage:review": frozenset({"intelligence_researcher", "supervisor"}),
    "linkage:person-merge": frozenset({"intelligence_researcher", "supervisor"}),
    "linkage:person-split": frozenset({"intelligence_researcher", "supervisor"}),
    # MARAC pages (marac.view_marac: police who work MARAC and partner practitioners). A random id is 404 for
    # an allowed role (a partner's referral or meeting not shared is 404 too, audited); research, asking
    # for information, discussion, attendance and agreeing actions are POST-only (405). Referring
    # (marac.refer: the force's case workers, the coordinator, partners) without ?person= explains where to
    # start (200).
    "marac:referrals": (MARAC_PAGES := frozenset({"marac_coordinator", "specialist_investigator",
                                                  "repeat_case_officer", "partner_practitioner"})),
    "marac:referral-new": WORKS_CASES | {"marac_coordinator", "partner_practitioner"},
    "marac:referral-new-victim": WORKS_CASES | {"marac_coordinator", "partner_practitioner"},
    "marac:referral": MARAC_PAGES,
    "marac:research-add": MARAC_PAGES,
    "marac:information-request": MARAC_PAGES,
    "marac:discussion": MARAC_PAGES,
    # Requests for information addressed to the viewer's agency; answering one (a random id is 404).
    "marac:information-requests": MARAC_PAGES,
    "marac:information-request-answer": MARAC_PAGES,
    "marac:meetings": MARAC_PAGES,
    "marac:meeting": MARAC_PAGES,
    "marac:attendance": MARAC_PAGES,
    "marac:action-agree": MARAC_PAGES,
    "marac:meeting-print": MARAC_PAGES,
    "marac:meeting-pdf": MARAC_PAGES,
    "marac:actions": MARAC_PAGES,
    "marac:action-close": MARAC_PAGES,
    "marac:figures": frozenset({"marac_coordinator", "specialist_investigator", "repeat_case_officer"}),
    # The SafeLives data return and its CSV (marac.data_return: the coordinator and analysts).
    "marac:data-return": frozenset({"marac_coordinator", "analyst"}),
    "marac:data-return-csv": frozenset({"marac_coordinator", "analyst"}),
    # The performance pack and its downloads (insight.view_pack).
    "insight:pack": (VIEWS_PACK := frozenset({"analyst", "supervisor", "control_room_supervisor"})),
    "insight:pack-csv": VIEWS_PACK,
    "insight:pack-pdf": VIEWS_PACK,
    # Importing partner figures (insight.import_partner_figures): analysts.
    "insight:partner-figures": frozenset({"analyst"}),
    # Victim surveys (insight.run_surveys: analysts, neighbourhood and repeat-case officers, supervisors); a
    # random case or survey id is 404 for an allowed role. The results: those and the pack's readers.
    "insight:surveys": (RUNS_SURVEYS := frozenset({"analyst", "neighbourhood_officer", "repeat_case_officer",
                                                   "supervisor"})),
    "insight:survey-start": RUNS_SURVEYS,
    "insight:survey": RUNS_SURVEYS,
    "insight:survey-results": RUNS_SURVEYS | VIEWS_PACK,
    # Lessons from reviews. Every signed-in user reads the briefings addressed to them; acknowledging is
    # POST-only (405). The register, briefings and coverage (insight.manage_lessons: analysts and
    # administrators): a random id is 404 for an allowed role; progress and withdrawal are POST-only (405).
    "insight:briefings-for-you": ALL_ROLES,
    "insight:briefing-acknowledge": ALL_ROLES,
    "insight:reviews": (KEEPS_LESSONS := frozenset({"analyst", "administrator"})),
    "insight:review-new": KEEPS_LESSONS,
    "insight:review": KEEPS_LESSONS,
    "insight:lesson-new": KEEPS_LESSONS,
    "insight:lesson": KEEPS_LESSONS,
    "insight:lesson-update": KEEPS_LESSONS,
    "insight:briefing-new": KEEPS_LESSONS,
    "insight:briefing": KEEPS_LESSONS,
    "insight:briefing-withdraw": KEEPS_LESSONS,
    "insight:briefing-coverage": KEEPS_LESSONS,
    "insight:briefing-coverage-csv": KEEPS_LESSONS,
    # How well risk is being judged (evaluation.view_report, evaluation.manage_models: analysts). A random
    # version number is 404 for an analyst; training and switching on are POST-only (405).
    "evaluation:report": frozenset({"analyst"}),
    "evaluation:versions": frozenset({"analyst"}),
    "evaluation:version-train": frozenset({"analyst"}),
    "evaluation:version": frozenset({"analyst"}),
    "evaluation:version-switch-on": frozenset({"analyst"}),
    # Events out (events.manage: force administrators): a random id is 404 for an administrator; the
    # replays and the on/off switch are POST-only (405).
    "events:subscriptions": frozenset({"administrator"}),
    "events:subscription-new": frozenset({"administrator"}),
    "events:subscription": frozenset({"administrator"}),
    "events:subscription-replay": frozenset({"administrator"}),
    "events:subscription-active": frozenset({"administrator"}),
    "events:subscription-edit": frozenset({"administrator"}),  # GET and POST
    "events:subscription-secret": frozenset({"administrator"}),  # POST-only (405)
    "events:delivery": frozenset({"administrator"}),
    "events:delivery-replay": frozenset({"administrator"}),
    "admin:*": frozenset({"administrator"}),
    # Admin pages that refuse everyone: lockout records and second-factor devices are never added by
    # hand, and autocomplete answers only with a model and field named in its query.
    "admin:axes_accessattempt_add": frozenset(),
    "admin:axes_accessfailurelog_add": frozenset(),
    "admin:axes_accesslog_add": frozenset(),
    "admin:otp_static_staticdevice_add": frozenset(),
    "admin:otp_totp_totpdevice_add": frozenset(),
    "admin:autocomplete": frozenset(),
    # Guidance keeps every revision and policy rules are switched off, never deleted.
    "admin:checks_checkrule_delete": frozenset(),
    "admin:checks_guidancerevision_add": frozenset(),
    "admin:checks_guidancerevision_delete": frozenset(),
    "admin:checks_guidancetopic_delete": frozenset(),
    # A loaded instrument version never changes or goes: assessments keep the version they were made with.
    "admin:risk_instrument_delete": frozenset(),
    # Background work is read-only in the admin (django-tasks-db's own admin), and ownership policy rows
    # are edited, never added or removed (one per risk level).
    "admin:django_tasks_database_dbtaskresult_add": frozenset(),
    "admin:django_tasks_database_dbtaskresult_change": frozenset({"administrator"}),  # a read-only view
    "admin:django_tasks_database_dbtaskresult_delete": frozenset(),
    "admin:cases_ownershiprule_add": frozenset(),
    "admin:cases_ownershiprule_delete": frozenset(),
    # The lists' policy keeps every row: a change is a new row, never an edit or a deletion.
    "admin:linkage_listpolicy_delete": frozenset(),
    "admin:evaluation_evaluationpolicy_delete": frozenset(),  # policy rows are history: never deleted
    # A MARAC area is never deleted: its meetings and referrals point at it.
    "admin:marac_maracarea_delete": frozenset(),
}

# Sign-out only answers POST; a GET is refused for everyone with 405, which is not an access question.
METHOD_ONLY = {"accounts:sign-out"}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry.callback


def all_urls():
    return sorted(_walk(get_resolver()), key=lambda item: item[0])


def declared_access(name: str):
    if name in ACCESS:
        return ACCESS[name]
    namespace = name.split(":")[0]
    return ACCESS.get(f"{namespace}:*")


def _sample_path(route: str) -> str | None:
    """A concrete path for a route, with made-up values for its parameters."""
    import re

    if route.startswith("^") or "(?P" in route:
        return None  # regular-expression routes (admin app list) are covered by their neighbours
    values = {"uuid": str(uuid.uuid4()), "int": "999999", "str": "x", "slug": "x", "path": "x/y"}

    def fill(match):
        converter = match.group(1) or "str"
        return values.get(converter, "x")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def test_every_url_declares_who_may_use_it():
    undeclared = [name for name, _, _ in all_urls() if declared_access(name) is None]
    assert not undeclared, f"URLs with no entry in the access table: {undeclared}"
    no_permission = [name for name, _, callback in all_urls()
                     if not name.startswith("admin:") and declared_permission(callback) is None]
    assert not no_permission, f"views that name no permission predicate: {no_permission}"


def test_public_views_are_declared_public_on_both_sides():
    for name, _, callback in all_urls():
        if name.startswith("admin:"):
            continue
        is_public_view = declared_permission(callback) == PUBLIC
        assert is_public_view == (declared_access(name) == ANYONE), name


def _user_for(role: str):
    if role == "partner_practitioner":
        return user_create(role=role, agency=agency_create(code="idva", kind="idva"))
    return user_create(role=role)


def _is_denied(response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "/sign-in/" in response.get("Location", "")


@pytest.mark.django_db
def test_each_role_gets_exactly_what_the_table_allows(client):
    users = {role: _user_for(role) for role in sorted(ALL_ROLES)}
    checked = 0
    mismatches = []
    for name, route, _ in all_urls():
        path = _sample_path(route)
        if path is None or name in METHOD_ONLY:
            continue
        allowed = declared_access(name)
        client.logout()
        anonymous = client.get(path)
        if allowed == ANYONE:
            if _is_denied(anonymous):
                mismatches.append((name, "anonymous", anonymous.status_code))
            continue
        if not _is_denied(anonymous):
            mismatches.append((name, "anonymous", anonymous.status_code))
        for role, user in users.items():
            client.force_login(user)
            response = client.get(path)
            if _is_denied(response) == (role in allowed):
                mismatches.append((name, role, response.status_code))
            checked += 1
    assert checked > 50
    assert not mismatches, f"access differs from the table: {mismatches}"
