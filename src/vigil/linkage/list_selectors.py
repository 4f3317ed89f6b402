"""Reading the repeat-victim, serial-perpetrator and counter-allegation lists (issue 7, items 3 to 5).

The lists are computed, not stored: a handful of bulk queries read the domestic abuse incidents in the
policy's windows (who was victim and who suspect on each, the crimes recorded, the risk gradings and the
"yes" answers), the plain rules (`repeat.py`, `serial.py`, `counter_allegations.py`) decide who is on
which list and why, and the plans and reviews people keep are joined on. No query is made per person.

- **Persons** are resolved identities (`people.Person`); a person merged into another (`merged_into`)
  has no records left and is never listed. A person is named by the latest record written about them;
  a restricted person is shown as "Restricted record" and opened from their person page with a reason.
- **Incidents** count when they carry the domestic abuse marker. An incident's date is its Europe/London
  date; the repeat-victim windows are rolling windows of days ending at `now` (see `repeat.py`).
- **Offence** of an incident for one victim and suspect: the most serious crime recorded on it (on the
  harm scale of `serial.HARM_SCALE`) that names that victim and suspect or leaves them blank; "no crime"
  when there is none.
- **Area** of a person on a list: the area of their latest incident in the window (as victim on the
  repeat-victim list, as suspect on the serial-perpetrator list).
- **Scope**: supervisors and repeat-case officers see every area; a neighbourhood officer sees the
  areas of their teams only (`viewer_areas`), and asking for another area is refused (403).

Every read that shows people is audited as a consultation of each person shown (`audit_record_each`).
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone

from vigil.accounts.models import Team
from vigil.audit.services import audit_record_each
from vigil.incidents.models import Area, Crime, Incident, Involvement
from vigil.people.models import Person, PersonRecord
from vigil.risk import instruments
from vigil.risk.models import Answer, Instrument, RiskAssessment

from . import counter_allegations as ca
from . import repeat, serial
from .list_policy import ListPolicyValues, list_policy
from .models import CounterAllegationReview, PerpetratorPlan, RepeatVictimPlan

RESTRICTED_NAME = "Restricted record"
ALL_AREA_ROLES = ("supervisor", "repeat_case_officer")  # "commanders": every area
CHUNK = 500  # ids per IN list


# --- small shared pieces ---------------------------------------------------------------------------------

def lists_now(now: datetime | None = None) -> datetime:
    """The moment the lists are drawn up for: `now` (default: now). In demo mode only, when the newest
    domestic abuse incident is older than the repeat-victim window (the synthetic force's year ended in
    2013), the moment of that incident: the lists, their plans and review dates then show the synthetic
    force as it stood at the end of its data, instead of empty lists."""
    now = now or timezone.now()
    if not settings.DEMO_MODE:
        return now
    latest = Incident.objects.filter(is_domestic_abuse=True, received_at__lte=now).aggregate(
        latest=Max("received_at"))["latest"]
    if latest is not None and latest <= now - timedelta(days=list_policy(now).repeat_window_days):
        return latest
    return now


def _chunks(ids: Iterable, size: int = CHUNK) -> Iterator[list]:
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _live_person(prefix: str = "person_record__person") -> Q:
    return Q(**{f"{prefix}__isnull": False, f"{prefix}__merged_into__isnull": True})


def _offence(code: str) -> str:
    return code if code in serial.HARM_SCALE else "other"


def _graver(a: str, b: str) -> str:
    return max(a, b, key=lambda o: (serial.gravity_of(o), o))


def viewer_areas(viewer) -> set[int] | None:
    """The ids of the areas `viewer` may see on the lists, or None for every area."""
    if viewer.role in ALL_AREA_ROLES:
        return None
    return set(Team.objects.filter(members=viewer, area__isnull=False).values_list("area_id", flat=True))


def areas_for(viewer) -> list[Area]:
    """The areas `viewer` may choose between, by name."""
    allowed = viewer_areas(viewer)
    areas = Area.objects.order_by("name")
    return list(areas if allowed is None else areas.filter(pk__in=allowed))


def area_in_scope(viewer, area: Area | None) -> None:
    """PermissionDenied unless `viewer` may see `area` (None: every area, for those who may see all)."""
    allowed = viewer_areas(viewer)
    if allowed is None:
        return
    if area is None or area.pk not in allowed:
        raise PermissionDenied("Neighbourhood officers see the lists of their own teams' areas")


@dataclass(frozen=True)
class PersonShown:
    person_id: int
    public_id: UUID
    name: str
    date_of_birth: date | None
    restricted: bool


def persons_shown(person_ids: Iterable[int]) -> dict[int, PersonShown]:
    """Each person's public id and the name on their latest record (hidden when restricted)."""
    ids = sorted(set(person_ids))
    flags, latest = {}, {}
    for chunk in _chunks(ids):
        flags.update({pk: (public_id, restricted) for pk, public_id, restricted in
                      Person.objects.filter(pk__in=chunk).values_list("pk", "public_id", "restricted")})
        for pid, given, family, born in (PersonRecord.objects.filter(person_id__in=chunk)
                                         .order_by("person_id", "-recorded_at", "-pk")
                                         .values_list("person_id", "given_name", "family_name", "date_of_birth")):
            latest.setdefault(pid, (given, family, born))
    shown = {}
    for pk in ids:
        if pk not in flags:
            continue
        public_id, restricted = flags[pk]
        given, family, born = latest.get(pk, ("", "", None))
        name = " ".join(part for part in (given, family) if part) or "Name not known"
        shown[pk] = PersonShown(person_id=pk, public_id=public_id, name=RESTRICTED_NAME if restricted else name,
                                date_of_birth=None if restricted else born, restricted=restricted)
    return shown


def _audit(viewer, rows, *, request, object_type: str, detail: dict) -> None:
    subjects = [p.public_id for p in rows]
    if subjects:
        audit_record_each(action="consultation", actor=viewer, subject_person_ids=subjects, request=request,
                          object_type=object_type, detail=detail)


def _crimes(since: datetime, now: datetime, incident_filter: Q | None = None) -> dict[int, list[tuple]]:
    """The crimes on domestic abuse incidents in the window: incident id -> [(offence, victim person,
    suspect person)]."""
    crimes = Crime.objects.filter(incident__is_domestic_abuse=True, incident__received_at__gt=since,
                                  incident__received_at__lte=now)
    if incident_filter is not None:
        crimes = crimes.filter(incident_filter)
    found = defaultdict(list)
    for incident_id, group, victim, suspect in crimes.values_list("incident_id", "offence_group",
                                                                  "victim__person_id", "suspect__person_id"):
        found[incident_id].append((_offence(group), victim, suspect))
    return found


def _offence_for(crimes: list[tuple], *, victim: int | None = None, suspect: int | None = None) -> str:
    offence = serial.NO_CRIME
    for code, crime_victim, crime_suspect in crimes:
        if victim is not None and crime_victim not in (None, victim):
            continue
        if suspect is not None and crime_suspect not in (None, suspect):
            continue
        offence = _graver(offence, code)
    return offence


# --- repeat victims --------------------------------------------------------------------------------------

@dataclass
class RepeatVictimRow:
    person_id: int
    incidents: int  # different incidents in the policy's window
    latest_at: datetime
    area_id: int | None
    commander_flag: bool
    team_queue: bool
    escalation: tuple[repeat.EscalationReason, ...]
    review_by: date  # when a plan set today would be reviewed
    plan: RepeatVictimPlan | None = None
    person: PersonShown | None = None
    area: Area | None = None

    @property
    def tier(self) -> str:
        return RepeatVictimPlan.Tier.REPEAT_TEAM if self.team_queue else RepeatVictimPlan.Tier.LOCAL

    @property
    def without_plan(self) -> bool:
        return self.plan is None


@dataclass
class RepeatVictimList:
    rows: list[RepeatVictimRow]  # this page's rows
    now: datetime
    policy: ListPolicyValues
    area: Area | None
    areas: list[Area]
    queue: bool = False
    page: Page | None = None
    total: int = 0  # every row of the list, not only this page
    without_plan: int = 0
    escalating: int = 0

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    @property
    def window_start(self) -> date:
        return self.today - timedelta(days=self.policy.repeat_window_days)


def _factor_labels() -> dict[str, str]:
    definition = Instrument.objects.filter(is_default=True).values_list("definition", flat=True).first()
    if not definition:
        return {}
    try:
        return {qid: q.text for qid, q in instruments.questions(definition).items()}
    except (instruments.InvalidInstrument, KeyError, TypeError):
        return {}


def repeat_victim_rows(*, now: datetime, policy: ListPolicyValues | None = None,
                       person_ids: Iterable[int] | None = None) -> list[RepeatVictimRow]:
    """Every repeat victim at `now` (or those among `person_ids`), most incidents first, unaudited: the
    building block of the pages and of `list_services.repeat_plans_ensure`. Five queries, whatever the
    number of victims."""
    policy = policy or list_policy(now)
    lookback = max(policy.repeat_window_days, repeat.ESCALATION_LOOKBACK_DAYS, 2 * repeat.ESCALATION_PERIOD_DAYS)
    since = now - timedelta(days=lookback)
    as_victim = Involvement.objects.filter(_live_person(), role=Involvement.Role.VICTIM,
                                           incident__is_domestic_abuse=True, incident__received_at__lte=now)
    if person_ids is not None:
        as_victim = as_victim.filter(person_record__person_id__in=list(person_ids))
    # Who has enough incidents in the window: one aggregate query, used as a subquery below.
    repeaters = (as_victim.filter(incident__received_at__gt=now - timedelta(days=policy.repeat_window_days))
                 .values("person_record__person_id")
                 .annotate(n=Count("incident_id", distinct=True))
                 .filter(n__gte=policy.repeat_min_incidents)
                 .values("person_record__person_id"))
    rows = list(as_victim.filter(incident__received_at__gt=since, person_record__person_id__in=repeaters)
                .values_list("person_record__person_id", "incident_id", "incident__received_at", "incident__area_id")
                .order_by("incident__received_at", "incident_id"))
    if not rows:
        return []
    crimes = _crimes(since, now, Q(incident__involvements__role=Involvement.Role.VICTIM,
                                   incident__involvements__person_record__person_id__in=repeaters))
    grades: dict[tuple[int, int], list[tuple[int, str]]] = defaultdict(list)
    for pk, incident_id, person_id, grade in (
            RiskAssessment.objects.filter(victim__person_id__in=repeaters, incident__received_at__gt=since,
                                          incident__received_at__lte=now).exclude(grade="")
            .values_list("pk", "incident_id", "victim__person_id", "grade")):
        grades[(person_id, incident_id)].append((pk, grade))
    factors: dict[int, set[str]] = defaultdict(set)
    for assessment_id, question, value in (
            Answer.objects.filter(assessment__victim__person_id__in=repeaters,
                                  assessment__incident__received_at__gt=since,
                                  assessment__incident__received_at__lte=now)
            .values_list("assessment_id", "question", "value")):
        found = factors.setdefault(assessment_id, set())  # answered: a (possibly empty) set of factors
        if value == Answer.Value.YES:
            found.add(question)

    history: dict[int, list[repeat.VictimIncident]] = defaultdict(list)
    latest: dict[int, tuple[datetime, int | None]] = {}
    for person_id, incident_id, at, area_id in rows:
        offence = _offence_for(crimes.get(incident_id, []), victim=person_id)
        assessed = grades.get((person_id, incident_id)) or [(None, None)]
        for assessment_id, grade in assessed:
            history[person_id].append(repeat.VictimIncident(
                incident_id=str(incident_id), at=at, offence=offence, risk_grade=grade,
                risk_factors=frozenset(factors[assessment_id]) if assessment_id in factors else None))
        if at > now - timedelta(days=policy.repeat_window_days):
            latest[person_id] = (at, area_id)  # rows come oldest first: the last one wins

    labels = _factor_labels()
    found = []
    for person_id, incidents in history.items():
        status = repeat.repeat_victim_status(
            incidents, now=now, window_days=policy.repeat_window_days, min_incidents=policy.repeat_min_incidents,
            commander_threshold=policy.commander_threshold, team_threshold=policy.repeat_team_threshold,
            review_days=policy.plan_review_days)
        if not status.is_repeat:
            continue
        escalation = repeat.detect_escalation(incidents, now=now, factor_labels=labels)
        at, area_id = latest[person_id]
        found.append(RepeatVictimRow(
            person_id=person_id, incidents=status.incidents_in_window, latest_at=at, area_id=area_id,
            commander_flag=status.commander_flag, team_queue=status.team_queue, escalation=escalation.reasons,
            review_by=timezone.localdate(now) + timedelta(days=policy.plan_review_days)))
    found.sort(key=lambda r: (-r.incidents, -len(r.escalation), -r.latest_at.timestamp(), r.person_id))
    return found


def _with_plans_and_names(rows: list[RepeatVictimRow]) -> list[RepeatVictimRow]:
    ids = [r.person_id for r in rows]
    plans = {}
    for chunk in _chunks(ids):
        plans.update({p.person_id: p for p in RepeatVictimPlan.objects.filter(person_id__in=chunk, closed_at__isnull=True)
                      .select_related("owner", "team")})
    shown = persons_shown(ids)
    areas = Area.objects.in_bulk({r.area_id for r in rows if r.area_id})
    for row in rows:
        row.plan, row.person, row.area = plans.get(row.person_id), shown.get(row.person_id), areas.get(row.area_id)
    return [r for r in rows if r.person is not None]


PAGE_SIZE = 50  # rows a list page shows (and audits); the totals count every row


def _repeat_page(rows: list[RepeatVictimRow], page: int | str) -> tuple[list[RepeatVictimRow], Page]:
    listing = Paginator(rows, PAGE_SIZE).get_page(page)
    return _with_plans_and_names(list(listing.object_list)), listing


def _repeat_totals(rows: list[RepeatVictimRow], listing: Page) -> dict:
    planned = 0
    for chunk in _chunks([r.person_id for r in rows]):
        planned += RepeatVictimPlan.objects.filter(person_id__in=chunk, closed_at__isnull=True).count()
    return {"page": listing, "total": len(rows), "without_plan": len(rows) - planned,
            "escalating": sum(bool(r.escalation) for r in rows)}


def repeat_victims(*, viewer, area: Area | None, now: datetime | None = None, page: int | str = 1,
                   request=None) -> RepeatVictimList:
    """The repeat victims of `area` (None: every area, for those who may see all), each with their
    incidents in the window, the escalation reasons and their plan's owner and review date, or no plan.
    Audited as a consultation of each person listed."""
    now = now or timezone.now()
    area_in_scope(viewer, area)
    policy = list_policy(now)
    rows = [r for r in repeat_victim_rows(now=now, policy=policy) if area is None or r.area_id == area.pk]
    shown, listing = _repeat_page(rows, page)
    _audit(viewer, [r.person for r in shown], request=request, object_type="linkage.RepeatVictimList",
           detail={"view": "repeat victims", "area": area.code if area else "all", "rows": len(shown),
                   "page": listing.number})
    return RepeatVictimList(rows=shown, now=now, policy=policy, area=area, areas=areas_for(viewer),
                            **_repeat_totals(rows, listing))


def repeat_queue(*, viewer, now: datetime | None = None, page: int | str = 1, request=None) -> RepeatVictimList:
    """The repeat-case team's queue: every repeat victim at or above the team's threshold, in every area
    (the team is force-wide). Audited as a consultation of each person listed."""
    now = now or timezone.now()
    area_in_scope(viewer, None)
    policy = list_policy(now)
    rows = [r for r in repeat_victim_rows(now=now, policy=policy) if r.team_queue]
    shown, listing = _repeat_page(rows, page)
    _audit(viewer, [r.person for r in shown], request=request, object_type="linkage.RepeatCaseQueue",
           detail={"view": "repeat-case queue", "rows": len(shown), "page": listing.number})
    return RepeatVictimList(rows=shown, now=now, policy=policy, area=None, areas=[], queue=True,
                            **_repeat_totals(rows, listing))


def _person_or_404(public_id) -> Person:
    person = Person.objects.filter(public_id=public_id, merged_into__isnull=True).first()
    if person is None:
        raise Http404("No such person")
    return person


def repeat_victim_for_plan(*, viewer, public_id, now: datetime | None = None, request=None) -> RepeatVictimRow:
    """One repeat victim, for their plan page: 404 unless they are a repeat victim now, 403 outside the
    viewer's areas. Audited as a consultation."""
    now = now or timezone.now()
    person = _person_or_404(public_id)
    rows = _with_plans_and_names(repeat_victim_rows(now=now, person_ids=[person.pk]))
    return _one_for_plan(viewer, rows, what="repeat victim", object_type="linkage.RepeatVictimPlan", request=request)


def _one_for_plan(viewer, rows: list, *, what: str, object_type: str, request=None):
    """The one row a plan page is about: 404 if the person is not on the list now, 403 outside the viewer's
    areas; audited as a consultation."""
    if not rows:
        raise Http404(f"This person is not a {what}")
    row = rows[0]
    allowed = viewer_areas(viewer)
    if allowed is not None and row.area_id not in allowed:
        raise PermissionDenied(f"Neighbourhood officers plan for the {what}s of their own teams' areas")
    _audit(viewer, [row.person], request=request, object_type=object_type, detail={"view": f"{what} plan"})
    return row


# --- serial perpetrators ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Pair:
    """One victim and one suspect on one domestic abuse incident."""

    incident_id: int
    on: date
    area_id: int | None
    victim: int
    suspect: int
    victim_born: date | None
    suspect_born: date | None
    offence: str


def _pairs(*, now: datetime, years: int, person_ids: Iterable[int] | None = None,
           as_suspect_only: bool = False) -> list[_Pair]:
    """Every (victim, suspect) pair on the domestic abuse incidents of the last `years` years (a day's
    margin: the rules apply the exact calendar window). Three queries."""
    since = now - timedelta(days=366 * years + 2)
    window = dict(incident__is_domestic_abuse=True, incident__received_at__gt=since, incident__received_at__lte=now)
    suspects = Involvement.objects.filter(_live_person(), role=Involvement.Role.SUSPECT, **window)
    victims = Involvement.objects.filter(_live_person(), role=Involvement.Role.VICTIM, **window)
    if person_ids is not None:
        ids = list(person_ids)
        suspects = suspects.filter(person_record__person_id__in=ids)
        if as_suspect_only:  # these persons as suspect, against anyone
            victims = victims.filter(incident__in=suspects.values("incident_id"))
        else:  # these persons against each other
            victims = victims.filter(person_record__person_id__in=ids)
    by_incident = defaultdict(list)
    for incident_id, person_id, born in victims.values_list("incident_id", "person_record__person_id",
                                                            "person_record__date_of_birth"):
        by_incident[incident_id].append((person_id, born))
    crimes = _crimes(since, now, Q(incident__in=suspects.values("incident_id")))
    pairs = set()
    zone = timezone.get_current_timezone()  # once: timezone.localdate() per row was a third of the time
    for incident_id, at, area_id, person_id, born in (
            suspects.values_list("incident_id", "incident__received_at", "incident__area_id",
                                 "person_record__person_id", "person_record__date_of_birth")):
        for victim, victim_born in by_incident.get(incident_id, ()):
            if victim == person_id:
                continue
            pairs.add(_Pair(incident_id=incident_id, on=at.astimezone(zone).date(), area_id=area_id, victim=victim,
                            suspect=person_id, victim_born=victim_born, suspect_born=born,
                            offence=_offence_for(crimes.get(incident_id, []), victim=victim, suspect=person_id)))
    return sorted(pairs, key=lambda p: (p.on, p.incident_id, p.victim, p.suspect))


@dataclass
class SerialRow:
    rank: int
    person_id: int
    score: serial.RFGScore
    victims: int  # different victims in the serial window
    incidents: int  # different incidents in the serial window
    area_id: int | None
    plan: PerpetratorPlan | None = None
    person: PersonShown | None = None
    area: Area | None = None

    @property
    def most_serious_label(self) -> str:
        return serial.offence_label(self.score.most_serious) if self.score.most_serious else "none"


@dataclass
class SerialList:
    rows: list[SerialRow]  # this page's rows
    now: datetime
    policy: ListPolicyValues
    area: Area | None
    areas: list[Area]
    page: Page | None = None
    total: int = 0

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)


def serial_rows(*, now: datetime, policy: ListPolicyValues | None = None, area_id: int | None = None,
                all_areas: bool = True, person_ids: Iterable[int] | None = None) -> list[SerialRow]:
    """The serial perpetrators at `now`, ranked by RFG score (within `area_id` unless `all_areas`),
    unaudited."""
    policy = policy or list_policy(now)
    today = timezone.localdate(now)
    years = max(policy.serial_window_years, 2)  # the RFG parts look back 24 months
    by_suspect: dict[int, list[serial.SuspectIncident]] = defaultdict(list)
    born: dict[int, date | None] = {}
    latest: dict[int, tuple[date, int, int | None]] = {}
    for p in _pairs(now=now, years=years, person_ids=person_ids, as_suspect_only=True):
        by_suspect[p.suspect].append(serial.SuspectIncident(
            incident_id=str(p.incident_id), on=p.on, victim_id=str(p.victim), offence=p.offence,
            domestic_abuse=True, victim_born=p.victim_born))
        if p.suspect_born is not None:
            born.setdefault(p.suspect, p.suspect_born)
        if serial.within_months(p.on, today=today, months=12 * policy.serial_window_years):
            latest[p.suspect] = max(latest.get(p.suspect, (date.min, 0, None)), (p.on, p.incident_id, p.area_id))
    # Only suspects with enough different victims can be serial: the rule decides among them.
    candidates = {s: incidents for s, incidents in by_suspect.items()
                  if len({i.victim_id for i in incidents}) >= policy.serial_min_victims}
    findings = {s: serial.serial_perpetrator(incidents, today=today, suspect_born=born.get(s),
                                             window_years=policy.serial_window_years,
                                             min_victims=policy.serial_min_victims)
                for s, incidents in candidates.items()}
    scores = {str(s): serial.rfg_score(candidates[s], today=today, suspect_born=born.get(s))
              for s, finding in findings.items() if finding.is_serial}
    if not all_areas:
        scores = {s: v for s, v in scores.items() if latest.get(int(s), (None, None, None))[2] == area_id}
    rows = []
    for ranked in serial.rank_perpetrators(scores):
        person_id = int(ranked.suspect_id)
        finding = findings[person_id]
        rows.append(SerialRow(rank=ranked.rank, person_id=person_id, score=ranked.score,
                              victims=len(finding.victim_ids), incidents=len(finding.incident_ids),
                              area_id=latest.get(person_id, (None, None, None))[2]))
    return rows


def _serial_details(rows: list[SerialRow]) -> list[SerialRow]:
    ids = [r.person_id for r in rows]
    plans = {}
    for chunk in _chunks(ids):
        plans.update({p.person_id: p for p in PerpetratorPlan.objects.filter(person_id__in=chunk, closed_at__isnull=True)
                      .select_related("owner")})
    shown = persons_shown(ids)
    areas = Area.objects.in_bulk({r.area_id for r in rows if r.area_id})
    for row in rows:
        row.plan, row.person, row.area = plans.get(row.person_id), shown.get(row.person_id), areas.get(row.area_id)
    return [r for r in rows if r.person is not None]


def serial_perpetrators(*, viewer, area: Area | None, now: datetime | None = None, page: int | str = 1,
                        request=None) -> SerialList:
    """The serial perpetrators of `area` (None: the force, for those who may see all), ranked by RFG
    score with its parts. Audited as a consultation of each person listed."""
    now = now or timezone.now()
    area_in_scope(viewer, area)
    policy = list_policy(now)
    rows = serial_rows(now=now, policy=policy, area_id=area.pk if area else None, all_areas=area is None)
    listing = Paginator(rows, PAGE_SIZE).get_page(page)
    shown = _serial_details(list(listing.object_list))
    _audit(viewer, [r.person for r in shown], request=request, object_type="linkage.SerialPerpetratorList",
           detail={"view": "serial perpetrators", "area": area.code if area else "all", "rows": len(shown),
                   "page": listing.number})
    return SerialList(rows=shown, now=now, policy=policy, area=area, areas=areas_for(viewer), page=listing,
                      total=len(rows))


def perpetrator_for_plan(*, viewer, public_id, now: datetime | None = None, request=None) -> SerialRow:
    """One serial perpetrator, for their plan page: 404 unless they are one now, 403 outside the viewer's
    areas. Audited as a consultation."""
    now = now or timezone.now()
    person = _person_or_404(public_id)
    rows = _serial_details(serial_rows(now=now, person_ids=[person.pk]))
    return _one_for_plan(viewer, rows, what="serial perpetrator", object_type="linkage.PerpetratorPlan",
                         request=request)


# --- counter-allegations ---------------------------------------------------------------------------------

@dataclass
class CounterAllegationRow:
    pair: ca.CounterAllegation
    first: PersonShown
    second: PersonShown
    suggestion: ca.PrimaryVictimSuggestion
    references: dict[int, str] = field(default_factory=dict)  # incident id -> reference
    last_decision: CounterAllegationReview | None = None  # decided before the latest incident
    pending_review: CounterAllegationReview | None = None

    @property
    def suggested(self) -> PersonShown | None:
        if self.suggestion.suggested is None:
            return None
        return self.first if self.suggestion.suggested == self.pair.first else self.second

    def incidents(self, person: PersonShown) -> list[tuple[str, date]]:
        return [(self.references.get(int(i.incident_id), ""), i.on) for i in self.pair.as_victim(str(person.person_id))]

    @property
    def first_incidents(self) -> list[tuple[str, date]]:
        return self.incidents(self.first)

    @property
    def second_incidents(self) -> list[tuple[str, date]]:
        return self.incidents(self.second)


def party_signals(person_ids: Iterable[int]) -> tuple[dict[str, ca.PartySignals], dict[int, set[int]]]:
    """What the reviewer weighs for each person, from their whole history of domestic abuse incidents,
    and the different people each was recorded as suspect against. Five queries."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}, {}
    involvements = Involvement.objects.filter(incident__is_domestic_abuse=True, person_record__person_id__in=ids)
    as_victim = {pid: (n, injured) for pid, n, injured in (
        involvements.filter(role=Involvement.Role.VICTIM).values("person_record__person_id")
        .annotate(n=Count("incident_id", distinct=True),
                  injured=Count("incident_id", distinct=True, filter=Q(incident__injuries=True)))
        .values_list("person_record__person_id", "n", "injured"))}
    suspected = involvements.filter(role=Involvement.Role.SUSPECT)
    as_suspect = dict(suspected.values("person_record__person_id").annotate(n=Count("incident_id", distinct=True))
                      .values_list("person_record__person_id", "n"))
    highest: dict[int, str] = {}
    for pid, grade in (RiskAssessment.objects.filter(victim__person_id__in=ids).exclude(grade="")
                       .values_list("victim__person_id", "grade")):
        if repeat.GRADE_ORDER.get(grade, 0) > repeat.GRADE_ORDER.get(highest.get(pid, ""), 0):
            highest[pid] = grade
    suspects_on = defaultdict(set)
    for incident_id, pid in suspected.values_list("incident_id", "person_record__person_id"):
        suspects_on[incident_id].add(pid)
    victims_of: dict[int, set[int]] = defaultdict(set)
    for incident_id, victim in (Involvement.objects.filter(role=Involvement.Role.VICTIM, person_record__person__isnull=False,
                                                           incident__in=suspected.values("incident_id"))
                                .values_list("incident_id", "person_record__person_id")):
        for suspect in suspects_on[incident_id] - {victim}:
            victims_of[suspect].add(victim)
    signals = {str(pid): ca.PartySignals(
        incidents_as_victim=as_victim.get(pid, (0, 0))[0], incidents_as_suspect=as_suspect.get(pid, 0),
        injuries_as_victim=as_victim.get(pid, (0, 0))[1], highest_risk_grade=highest.get(pid),
        other_victims=len(victims_of[pid])) for pid in ids}
    return signals, victims_of


def counter_allegation_rows(*, now: datetime, policy: ListPolicyValues | None = None,
                            person_ids: Iterable[int] | None = None, pending_only: bool = True
                            ) -> list[CounterAllegationRow]:
    """The counter-allegation pairs at `now`, each with the rule's suggestion and the reviews kept. With
    `pending_only`, the pairs with no decision since their latest incident. Unaudited."""
    policy = policy or list_policy(now)
    today = timezone.localdate(now)
    pairs = _pairs(now=now, years=policy.counter_allegation_window_years, person_ids=person_ids)
    found = ca.find_counter_allegations(
        (ca.Involvement(incident_id=str(p.incident_id), on=p.on, victim_id=str(p.victim), suspect_id=str(p.suspect))
         for p in pairs), today=today, window_years=policy.counter_allegation_window_years)
    if person_ids is not None:
        wanted = {str(i) for i in person_ids}
        found = [p for p in found if set(p.people) <= wanted]
    if not found:
        return []
    people = {int(pid) for pair in found for pid in pair.people}
    signals, victims_of = party_signals(people)
    reviews = defaultdict(list)
    for chunk in _chunks(sorted(people)):
        for review in CounterAllegationReview.objects.filter(person_a_id__in=chunk).select_related("decided_by"):
            reviews[(review.person_a_id, review.person_b_id)].append(review)
    shown = persons_shown(people)
    incident_ids = sorted({int(i.incident_id) for pair in found for i in pair.first_as_victim + pair.second_as_victim})
    references = {}
    for chunk in _chunks(incident_ids):
        references.update(Incident.objects.filter(pk__in=chunk).values_list("pk", "reference"))
    rows = []
    for pair in found:
        a, b = int(pair.first), int(pair.second)
        if a not in shown or b not in shown:
            continue
        # Each person's other victims, beside the other one of this pair.
        pair_signals = {pid: replace(signals[pid], other_victims=len(victims_of[int(pid)] - {a, b}))
                        for pid in pair.people}
        kept = reviews.get((min(a, b), max(a, b)), [])
        decided = sorted((r for r in kept if r.status == CounterAllegationReview.Status.DECIDED),
                         key=lambda r: r.decided_at)
        last = decided[-1] if decided else None
        settled = last is not None and last.latest_incident_on >= pair.latest
        if pending_only and settled:
            continue
        rows.append(CounterAllegationRow(
            pair=pair, first=shown[a], second=shown[b], suggestion=ca.suggest_primary_victim(pair, pair_signals),
            references=references, last_decision=last,
            pending_review=next((r for r in kept if r.status == CounterAllegationReview.Status.PENDING), None)))
    return rows


def counter_allegations_pending(*, viewer, now: datetime | None = None, request=None) -> list[CounterAllegationRow]:
    """The counter-allegation pairs waiting for a reviewer, with the suggestion and its reasons. Audited
    as a consultation of both people of each pair."""
    now = now or timezone.now()
    rows = counter_allegation_rows(now=now)
    _audit(viewer, [p for r in rows for p in (r.first, r.second)], request=request,
           object_type="linkage.CounterAllegationList", detail={"view": "counter-allegations", "rows": len(rows)})
    return rows


def counter_allegation_for_review(*, viewer, first, second, now: datetime | None = None,
                                  request=None) -> CounterAllegationRow:
    """One pair, for the decision page (404 unless the two are a counter-allegation pair now). Audited
    as a consultation of both."""
    now = now or timezone.now()
    persons = [_person_or_404(first), _person_or_404(second)]
    rows = counter_allegation_rows(now=now, person_ids=[p.pk for p in persons], pending_only=False)
    if not rows:
        raise Http404("These two people are not a counter-allegation pair")
    row = rows[0]
    _audit(viewer, [row.first, row.second], request=request, object_type="linkage.CounterAllegationReview",
           detail={"view": "counter-allegation review"})
    return row


# --- plan owners -----------------------------------------------------------------------------------------

def plan_owner_candidates(*, team_kind: str, area_id: int | None, include=(), roles=()) -> list:
    """The people a plan may be given to, for the form: active force users of `roles` in the teams of
    `team_kind` for the area (and force-wide ones), plus those in `include` (the current owner, the viewer)
    where they may own a plan. By name."""
    from vigil.accounts.models import User

    teams = Team.objects.filter(kind=team_kind, agency__kind="force").filter(Q(area_id=area_id) | Q(area__isnull=True))
    wanted = Q(teams__in=teams) | Q(teams_supervised__in=teams) | Q(pk__in=[u.pk for u in include if u is not None])
    return list(User.objects.filter(wanted, is_active=True, role__in=roles, agency__kind="force").distinct()
                .order_by("last_name", "first_name", "username"))
