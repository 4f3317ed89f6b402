"""Partner figures: importing a CSV file of them (`partner_figures.parse` checks it; one transaction; one
audit event) and reading those that overlap a performance pack's period."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from vigil.accounts.models import Agency
from vigil.audit.services import audit_record

from . import partner_figures as rules
from .partner_models import PartnerFigure

PERMISSION = "insight.import_partner_figures"


def partner_agency_codes() -> set[str]:
    return set(Agency.objects.exclude(kind=Agency.Kind.FORCE).values_list("code", flat=True))


def partner_figures_import(*, by, content: bytes, now: datetime | None = None, request=None) -> list[PartnerFigure]:
    """Every figure of the file, or none (`rules.FileRejected` with every error, by line). Audited as a
    collection: the number of figures, the agencies and the periods' span (the file holds counts only)."""
    if by is None or not by.has_perm(PERMISSION):
        raise PermissionDenied
    rows = rules.parse(content, agency_codes=partner_agency_codes())
    agencies = {a.code: a for a in Agency.objects.filter(code__in={r.agency_code for r in rows})}
    existing = set(PartnerFigure.objects.filter(agency__code__in=agencies)
                   .values_list("agency__code", "period_start", "period_end", "measure"))
    clashes = [f"Line {r.line}: {r.measure!r} for {r.agency_code} from {r.period_start} to {r.period_end} "
               f"was imported before" for r in rows
               if (r.agency_code, r.period_start, r.period_end, r.measure) in existing]
    if clashes:
        raise rules.FileRejected(clashes)
    now = now or timezone.now()
    with transaction.atomic():
        figures = PartnerFigure.objects.bulk_create(
            PartnerFigure(agency=agencies[r.agency_code], period_start=r.period_start, period_end=r.period_end,
                          measure=r.measure, value=r.value, unit=r.unit, note=r.note, imported_by=by,
                          imported_at=now) for r in rows)
        audit_record(action="collection", actor=by, object_type="insight.PartnerFigure", request=request,
                     detail={"import": "partner figures", "figures": len(figures),
                             "agencies": sorted(agencies),
                             "from": min(r.period_start for r in rows).isoformat(),
                             "to": max(r.period_end for r in rows).isoformat()})
    return figures


def partner_figures_overlapping(*, start: date, end: date) -> list[PartnerFigure]:
    """The figures whose period shares at least one day with [start, end] (both inclusive). Not audited:
    counts kept by partners, shown with the pack (whose reading is audited)."""
    return list(PartnerFigure.objects.filter(period_start__lte=end, period_end__gte=start)
                .select_related("agency").order_by("agency__name", "measure", "period_start", "id"))


def recent_imports(*, limit: int = 50) -> list[PartnerFigure]:
    return list(PartnerFigure.objects.select_related("agency").order_by("-imported_at", "-id")[:limit])
