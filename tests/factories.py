"""Factories shared by every test: small functions that build valid objects with sensible defaults."""

import itertools
from datetime import UTC, date, datetime, timedelta

from vigil.accounts.models import Agency, Team, User
from vigil.cases.models import OwnershipPeriod, SafeguardingCase
from vigil.incidents.models import Area, Crime, Incident, Involvement
from vigil.people.models import Address, Person, PersonRecord, Phone, WarningMarker
from vigil.risk.models import RiskAssessment
from vigil.workdays import is_working_day

_counter = itertools.count(1)


def working_day_a_week_ago(today: date) -> date:
    """The last working day at least a week before `today`: a day a MARAC can meet on (a meeting planned
    for a weekend or bank holiday moves to the next working day), so tests that hold a meeting "last week"
    pass on every day of the year."""
    day = today - timedelta(days=7)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day
TEST_PASSWORD = "correct-horse-battery-staple-42"


def agency_create(*, code: str = "force", kind: str = Agency.Kind.FORCE, name: str | None = None) -> Agency:
    agency, _ = Agency.objects.get_or_create(code=code, defaults={"name": name or code.title(), "kind": kind})
    return agency


def team_create(*, code: str | None = None, kind: str = Team.Kind.RESPONSE, agency: Agency | None = None,
                area: Area | None = None) -> Team:
    n = next(_counter)
    return Team.objects.create(code=code or f"team-{n}", name=f"Team {n}", kind=kind,
                               agency=agency or agency_create(), area=area)


def user_create(*, role: str = "response_officer", agency: Agency | None = None, teams=(),
                username: str | None = None, password: str = TEST_PASSWORD) -> User:
    n = next(_counter)
    user = User.objects.create_user(username=username or f"user{n}", password=password, role=role,
                                    agency=agency or agency_create())
    if teams:
        user.teams.set(teams)
    return user


def area_create(*, code: str = "city", name: str = "City", districts: str = "LE1 LE2") -> Area:
    area, _ = Area.objects.get_or_create(code=code, defaults={"name": name, "postcode_districts": districts})
    return area


def address_create(*, line1: str = "12 Example Road", postcode: str = "LE1 6ZZ", town: str = "Leicester") -> Address:
    return Address.objects.create(line1=line1, postcode=postcode, town=town)


def phone_create(*, number: str = "07700 900123") -> Phone:
    phone, _ = Phone.objects.get_or_create(e164=_e164(number))
    return phone


def _e164(number: str) -> str:
    from vigil.people.normalise import normalise_phone

    return normalise_phone(number)


def person_record_create(*, given_name: str = "Alex", family_name: str = "Example", dob: date | None = None,
                         person: Person | None = None, address: Address | None = None,
                         phone: Phone | None = None, sex: str = "U") -> PersonRecord:
    return PersonRecord.objects.create(
        given_name=given_name, family_name=family_name, date_of_birth=dob, sex=sex,
        person=person if person is not None else Person.objects.create(),
        address=address, phone=phone, recorded_at=datetime(2013, 1, 1, 12, tzinfo=UTC))


def incident_create(*, domestic_abuse: bool = True, received_at: datetime | None = None,
                    address: Address | None = None, area: Area | None = None, grade: int = 2,
                    victim: PersonRecord | None = None, suspect: PersonRecord | None = None,
                    caller_phone: Phone | None = None, status: str = Incident.Status.CLOSED,
                    recorded_by: User | None = None) -> Incident:
    n = next(_counter)
    incident = Incident.objects.create(
        reference=f"TEST-{n:06d}", received_at=received_at or datetime(2013, 3, 1, 22, 15, tzinfo=UTC),
        channel=Incident.Channel.EMERGENCY, area=area, address=address, is_domestic_abuse=domestic_abuse,
        response_grade=grade, summary="Synthetic test incident", caller_phone=caller_phone, status=status,
        recorded_by=recorded_by)
    for record, role in ((victim, Involvement.Role.VICTIM), (suspect, Involvement.Role.SUSPECT)):
        if record is not None:
            Involvement.objects.create(incident=incident, person_record=record, role=role)
    return incident


def crime_create(*, incident: Incident | None = None, group: str = "assault_with_injury",
                 domestic_abuse: bool = True, recorded_at: datetime | None = None) -> Crime:
    n = next(_counter)
    return Crime.objects.create(reference=f"CR-{n:06d}", incident=incident, offence_group=group,
                                is_domestic_abuse=domestic_abuse,
                                recorded_at=recorded_at or datetime(2013, 3, 2, 9, tzinfo=UTC))


def marker_create(*, kind: str, person: Person | None = None, address: Address | None = None,
                  phone: Phone | None = None, starts_on: date = date(2013, 1, 1), ends_on: date | None = None,
                  note: str = "") -> WarningMarker:
    return WarningMarker.objects.create(kind=kind, person=person, address=address, phone=phone,
                                        starts_on=starts_on, ends_on=ends_on, note=note)


def risk_assessment_create(*, incident: Incident, victim: PersonRecord, grade: str = "standard",
                           assessed_at: datetime | None = None, yes_count: int | None = None,
                           status: str = "submitted", officer: User | None = None,
                           **fields) -> RiskAssessment:
    """A risk assessment as the history knows it (submitted, with a grade). For one being completed,
    pass status="in_progress" and grade=""."""
    return RiskAssessment.objects.create(incident=incident, victim=victim, grade=grade, yes_count=yes_count,
                                         assessed_at=assessed_at or incident.received_at, status=status,
                                         officer=officer, **fields)


def case_create(*, victim: PersonRecord, incident: Incident, risk_level: str = "standard",
                owner: User | None = None, owning_team: Team | None = None,
                closed_at: datetime | None = None) -> SafeguardingCase:
    """A case as `case_open` leaves it: an owner (made up, in a neighbourhood team, when none is given)
    and the opening ownership period."""
    if owning_team is None:
        owning_team = owner.teams.first() if owner is not None and owner.teams.exists() else \
            team_create(kind=Team.Kind.NEIGHBOURHOOD)
    if owner is None:
        owner = user_create(role="neighbourhood_officer", teams=[owning_team])
    case = SafeguardingCase.objects.create(victim=victim, incident=incident, risk_level=risk_level, owner=owner,
                                           owning_team=owning_team, opened_at=incident.received_at,
                                           closed_at=closed_at)
    OwnershipPeriod.objects.create(case=case, owner=owner, team=owning_team, via="opened", started_at=case.opened_at)
    return case


def incidents_between_create(*, victim: PersonRecord, suspect: PersonRecord | None = None, at=(),
                             area: Area | None = None) -> list[Incident]:
    """Domestic abuse incidents at each of the times `at`, with the victim (and suspect) written on a new
    record of the same person each time, as each event writes its own record."""
    made = []
    for when in at:
        made.append(incident_create(
            received_at=when, area=area,
            victim=person_record_create(given_name=victim.given_name, family_name=victim.family_name,
                                        dob=victim.date_of_birth, person=victim.person),
            suspect=person_record_create(given_name=suspect.given_name, family_name=suspect.family_name,
                                         dob=suspect.date_of_birth, person=suspect.person) if suspect else None))
    return made


# --- MARAC -----------------------------------------------------------------------------------------------

def marac_area_create(*, code: str | None = None, anchor_date: date = date(2026, 1, 6), every_days: int = 14,
                      cut_off_working_days: int = 5, areas=(), member_agencies=(), coordinating_team=None):
    """A MARAC area meeting fortnightly from Tuesday 6 January 2026 unless told otherwise."""
    from vigil.marac.models import MaracArea

    n = next(_counter)
    marac = MaracArea.objects.create(code=code or f"marac-{n}", name=f"MARAC {n}", anchor_date=anchor_date,
                                     meets_every_days=every_days, cut_off_working_days=cut_off_working_days,
                                     coordinating_team=coordinating_team)
    marac.areas.set(areas)
    marac.member_agencies.set(member_agencies)
    return marac


def marac_meeting_create(*, area, held_on: date, agencies=(), status: str = "planned", chair: User | None = None):
    """A meeting with each of `agencies` invited."""
    from vigil.marac.models import MaracAttendance, MaracMeeting

    meeting = MaracMeeting.objects.create(area=area, held_on=held_on, status=status, chair=chair)
    for agency in agencies:
        MaracAttendance.objects.create(meeting=meeting, agency=agency)
    return meeting


def marac_referral_create(*, area, victim: Person | None = None, by: User | None = None,
                          received_on: date = date(2026, 1, 12), criteria=("professional_judgement",),
                          meeting=None, status: str | None = None, perpetrator: Person | None = None,
                          victim_consents: bool = True, risk_assessment: RiskAssessment | None = None):
    """A referral as `referral_create` leaves it (without its checks): professional judgement with reasons,
    the victim aware and consenting; listed on `meeting` when one is given."""
    from vigil.marac.models import MaracReferral

    by = by or user_create(role="marac_coordinator")
    return MaracReferral.objects.create(
        area=area, victim=victim or Person.objects.create(), perpetrator=perpetrator, risk_assessment=risk_assessment,
        referring_agency=by.agency, referred_by=by, received_on=received_on, criteria=list(criteria),
        judgement_reason="Escalating threats and control reported by the victim" if
        "professional_judgement" in criteria else "",
        victim_aware=True, victim_consents=victim_consents,
        reason_without_consent="" if victim_consents else "Telling the victim would put them at greater risk",
        meeting=meeting, status=status or ("listed" if meeting is not None else "received"),
        created_at=datetime(received_on.year, received_on.month, received_on.day, 12, tzinfo=UTC))


def marac_action_create(*, referral, meeting, agency: Agency, due_on: date, owner: User | None = None,
                        description: str = "Offer the victim a safety plan review", status: str = "open",
                        completed_on: date | None = None):
    from vigil.marac.models import MaracAction

    return MaracAction.objects.create(referral=referral, meeting=meeting, description=description, agency=agency,
                                      owner=owner, due_on=due_on, status=status, completed_on=completed_on,
                                      agreed_by=meeting.chair or user_create(role="marac_coordinator"),
                                      agreed_at=datetime(meeting.held_on.year, meeting.held_on.month,
                                                         meeting.held_on.day, 11, tzinfo=UTC))


# --- Evaluation of risk judgements -----------------------------------------------------------------------

def grading_decision_create(*, assessment, stage: str = "officer", grade: str = "standard", previous_grade: str = "",
                            decided_at: datetime | None = None, by: User | None = None):
    """One decision on an assessment's grading (officer, supervisor or specialist), valid for its stage."""
    from vigil.risk.models import GradingDecision

    decided_at = decided_at or assessment.assessed_at
    return GradingDecision.objects.create(
        assessment=assessment, stage=stage, grade=grade, previous_grade=previous_grade,
        rationale="" if stage == "officer" else "Reviewed the assessment and the history.",
        decided_by=by or user_create(role="supervisor" if stage == "supervisor" else "response_officer"),
        decided_at=decided_at, opened_at=decided_at if stage != "officer" else None,
        victim_contacted=True if stage == "specialist" else None)


def answer_create(*, assessment, question: str, value: str = "yes", by: User | None = None):
    from vigil.risk.models import Answer

    return Answer.objects.create(assessment=assessment, question=question, value=value, obtained="asked_at_scene",
                                 answered_at=assessment.assessed_at, answered_by=by or user_create())


def da_incident_with_assessment_create(*, victim: PersonRecord | Person, suspect: PersonRecord | Person | None = None,
                                       at: datetime, area: Area | None = None, grade: str = "standard",
                                       yes_count: int | None = None, crime_group: str | None = None,
                                       sex: str = "F", dob: date | None = None):
    """A DA incident at `at` with a new victim record (and suspect record) of the given resolved persons (or
    of the records' persons), an assessment an hour later, and optionally a crime against the victim."""
    def record(of, role_sex):
        person = of if isinstance(of, Person) else of.person
        return PersonRecord.objects.create(given_name="Sam", family_name="Example", date_of_birth=dob, sex=role_sex,
                                           person=person, recorded_at=at)
    from datetime import timedelta

    victim_record = record(victim, sex)
    suspect_record = record(suspect, "M") if suspect is not None else None
    incident = incident_create(received_at=at, area=area, victim=victim_record, suspect=suspect_record)
    assessment = risk_assessment_create(incident=incident, victim=victim_record, grade=grade, yes_count=yes_count,
                                        assessed_at=at + timedelta(hours=1))
    if crime_group is not None:
        crime = crime_create(incident=incident, group=crime_group, recorded_at=at + timedelta(hours=2))
        Crime.objects.filter(pk=crime.pk).update(victim=victim_record, suspect=suspect_record)
    return incident, assessment
