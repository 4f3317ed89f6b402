"""Reading the SafeLives MARAC data return (`data_return.py`) for one MARAC or every MARAC and a period, and
recording its downloads. Counts only, no one named: the page is not audited (as the figures are not); every
download and `vigil marac_return` run is audited as an export, because the counts leave Vigil."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied

from vigil.audit.services import audit_record

from . import data_return as rules
from .models import MaracArea, MaracReferral

OBJECT_TYPE = "marac.DataReturn"

# The repeat rule looks back 12 months before a case's first referral, and a case is heard some weeks after
# it is received: read the referrals received from this long before the period (as the figures do).
LOOK_BACK = timedelta(days=366 + 120)
PERSON_FIELDS = ("sex", "ethnicity", "date_of_birth")


@dataclass(frozen=True)
class ReturnResult:
    """The return for a period: one row per MARAC asked for, then (for every MARAC) the total."""

    start: date
    end: date
    area: MaracArea | None
    rows: tuple[rules.DataReturn, ...]

    @property
    def total(self) -> rules.DataReturn:
        return self.rows[-1]


def _victim_fields(person_ids) -> dict[int, dict]:
    """For each victim, the sex, ethnicity and date of birth from their person records: the latest record
    that gives each ("U", blank or None when none does)."""
    from vigil.people.models import PersonRecord

    known: dict[int, dict] = {pk: {} for pk in person_ids}
    rows = (PersonRecord.objects.filter(person_id__in=list(known)).order_by("-recorded_at", "-pk")
            .values_list("person_id", *PERSON_FIELDS))
    for person_id, sex, ethnicity, date_of_birth in rows:
        fields = known[person_id]
        if "sex" not in fields and sex in ("M", "F"):
            fields["sex"] = sex
        if "ethnicity" not in fields and (ethnicity or "").strip():
            fields["ethnicity"] = ethnicity
        if "date_of_birth" not in fields and date_of_birth is not None:
            fields["date_of_birth"] = date_of_birth
    return known


def _referrals(start: date, end: date) -> list[rules.ReturnReferral]:
    heard = MaracReferral.Status.HEARD
    rows = list(MaracReferral.objects.filter(received_on__gte=start - LOOK_BACK, received_on__lte=end).values_list(
        "pk", "area__code", "victim_id", "received_on", "status", "meeting__held_on", "referring_agency__kind",
        "children", "victim_lgbt", "victim_disability"))
    victims = _victim_fields({row[2] for row in rows if row[4] == heard and row[5] and start <= row[5] <= end})
    referrals = []
    for pk, area, victim, received_on, status, held_on, kind, children, lgbt, disability in rows:
        fields = victims.get(victim, {})
        referrals.append(rules.ReturnReferral(
            id=pk, area=area, victim_key=str(victim), received_on=received_on,
            heard_on=held_on if status == heard else None, agency_kind=kind, children=len(children or []),
            victim_sex=fields.get("sex", "U"), victim_ethnicity=fields.get("ethnicity", ""),
            victim_date_of_birth=fields.get("date_of_birth"), victim_lgbt=lgbt, victim_disability=disability))
    return referrals


def data_return_for(*, area: MaracArea | None, start: date, end: date) -> ReturnResult:
    """The data return of `area` (every MARAC, one row each and then the total, when None) from `start` to
    `end` inclusive."""
    referrals = _referrals(start, end)
    if area is not None:
        row = rules.data_return(referrals, start, end, area=area.code, area_name=area.name,
                                women_aged_16_plus=area.women_aged_16_plus)
        return ReturnResult(start=start, end=end, area=area, rows=(row,))
    areas = list(MaracArea.objects.order_by("name"))
    rows = [rules.data_return(referrals, start, end, area=a.code, area_name=a.name,
                              women_aged_16_plus=a.women_aged_16_plus) for a in areas]
    populations = [a.women_aged_16_plus for a in areas]
    women = sum(populations) if areas and None not in populations else None
    rows.append(rules.data_return(referrals, start, end, area=None, area_name="Every MARAC",
                                  women_aged_16_plus=women))
    return ReturnResult(start=start, end=end, area=None, rows=tuple(rows))


def data_return_export(*, viewer, result: ReturnResult, format: str, request=None, via: str = "page") -> None:
    """Record a download of the return (CSV) or a `vigil marac_return` run (`viewer` None: the command line)
    as an export: the period, the MARAC and the counts' totals, no one named."""
    if viewer is not None and not viewer.has_perm("marac.data_return"):
        raise PermissionDenied
    total = result.total
    audit_record(action="export", actor=viewer, object_type=OBJECT_TYPE, object_id=total.area_code,
                 request=request, detail={"export": "marac data return", "format": format, "via": via,
                                          "marac": total.area_code, "from": result.start.isoformat(),
                                          "to": result.end.isoformat(), "cases": total.cases})
