"""What the case page's custody and victim-contact sections show (their partials load these)."""

from django import template

from vigil.cases import contact_services
from vigil.cases.models import CustodyRecord, ProtectiveOrder, Task

register = template.Library()

# Tasks done by telling or updating the victim: the contact section offers to log the contact for each.
CONTACT_TASK_KINDS = (Task.Kind.COURT_BAIL_TELL_VICTIM, Task.Kind.TELL_VICTIM, Task.Kind.RELEASE_NOTIFY,
                      Task.Kind.CONTACT_VICTIM)


@register.simple_tag
def custody_section(case, user) -> dict:
    records = list(case.custody_records.select_related("suspect").prefetch_related("orders")
                   .order_by("-arrested_at", "-id"))
    works = user.has_perm("cases.work_on_case") and case.closed_at is None
    return {
        "records": [{
            "record": record,
            "orders": [o for o in record.orders.all() if o.kind == ProtectiveOrder.Kind.BAIL_CONDITIONS],
            "may_decide": works and not record.disposal,
            "may_court": works and record.disposal == CustodyRecord.Disposal.CHARGED_REMANDED
            and not record.court_outcome,
            "may_release": works,
        } for record in records],
        "may_work": works,
    }


@register.simple_tag
def contact_section(case, user) -> dict:
    works = user.has_perm("cases.work_on_case") and case.closed_at is None
    contacts = list(case.contacts.select_related("made_by", "task").order_by("-made_at", "-id")[:50])
    tasks = list(case.tasks.filter(status=Task.Status.OPEN, kind__in=CONTACT_TASK_KINDS).order_by("-urgent", "due_at"))
    return {
        "safe_number": contact_services.safe_number(case),
        "contacts": [{"contact": c, "told": [contact_services.KEY_EVENT_LABELS.get(code, code) for code in c.told]}
                     for c in contacts],
        "tasks": tasks,
        "may_work": works,
    }
