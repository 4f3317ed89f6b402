"""MARAC in the synthetic force (domain.md, "MARAC (SafeLives)"): one MARAC for the force, meeting every
14 days over the generated years, the referrals of its high-risk victims, each heard at a meeting with
the agencies' research, a short discussion and the actions agreed.

Two halves:

- `setup_ensure` (Django, in the parent before the bulk load): the MARAC area, its member agencies, the
  synthetic users who refer, research, chair and own actions, and every meeting with its attendance, all
  made once and reused by later runs.
- `MaracCases` (plain Python, in the generating process): told of each DA incident as the partition
  writes it (`note`), it draws the referrals, research and actions after the last DA batch (`rows`),
  with keys from the partition's `Ids`, for the loader like every other generated row.

Who is referred, in time order over the partition's DA incidents (the true world, so repeats follow the
true victim, not the force's legacy person match):

- **repeat MARAC**: any further DA incident of a victim within 12 months of her last referral goes back
  (whatever its grade); so does further abuse a partner agency learns of without a police call-out
  (`PARTNER_REPEAT_SHARE` of referrals, 4 weeks to 11 months later): domain.md's "whether or not
  criminal";
- **new**: every incident graded high by the officer (visible high risk on 14+ "yes" answers, otherwise
  professional judgement), and a share of those graded medium that a partner refers on professional
  judgement, so that the cases a year come to the recommended 40 per 10,000 women aged 16+; where the
  high-risk incidents alone would exceed it, a deterministic subset of them.

A referral's victim is the Person on the incident that prompted the first referral of that true victim
(the MARAC knows her; the police's legacy match may have split her records), so that the figures' repeat
rule, which follows the Person, sees the true repeats. A risk assessment is linked only when it is about
that Person. About half of the referrals come from the police (only those prompted by a police incident
can), the rest from partners. Only referrals received by the last day of the generated data are made;
the meetings after it are planned, with their referrals listed and no actions yet. An action is closed
only on or before that day: the ones that would close later are still open.

Everything draws from its own generator (`"<seed>:<partition>:marac"` and `"<seed>:marac-meetings"`), so
every other generated row is exactly what it was before MARAC existed.
"""

import heapq
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from vigil.marac import schedule
from vigil.workdays import LONDON

from .force import utc_text, uuid4_hex
from .population import DAEvent, quota_counts

# domain.md: recommended 40 cases a year per 10,000 women aged 16+; national repeat rate 30-31 %.
CASES_A_YEAR_PER_10K_WOMEN = 40
REPEAT_WINDOW = timedelta(days=365)  # risk.scoring.REPEAT_MARAC_WINDOW
NEW_SHARE_AIMED = 0.72  # of cases: the rest are repeats (national 30-31 %)
HIGH_REFERRED_AS_NEW = 0.9  # about this share of high-risk incidents are a victim's first referral in 12 months
PARTNER_REPEAT_SHARE = 0.24  # referrals followed by further abuse a partner reports (no police incident)
PARTNER_REPEAT_DAYS = (28, 330)  # after the meeting that heard the last one
POLICE_SHARE = 0.5  # "about half of referrals came from partners in the report"
POLICE_DELAY_DAYS = (1, 6)  # incident to referral: DASH, supervision, the referral form
PARTNER_DELAY_DAYS = (5, 40)
PARTNER_WEIGHTS = {"idva-service": 0.45, "childrens-services": 0.17, "health": 0.16, "housing": 0.1,
                   "probation": 0.08, "education": 0.04}
ACTION_WEIGHTS = {"police": 0.24, "idva-service": 0.3, "childrens-services": 0.15, "housing": 0.1,
                  "health": 0.1, "probation": 0.07, "education": 0.04}
ACTION_DUE_DAYS = (7, 28)
ACTION_LATE_DAYS = (1, 45)
ACTION_ON_TIME, ACTION_LATE = 0.82, 0.13  # the rest are cancelled: circumstances changed
AWARE_CONSENTS, AWARE_ONLY = 0.8, 0.13  # the rest do not know yet
IDVA_REFERRAL_MADE = 0.85
MEETING_DAY = (time(9, 30), time(16, 0))  # London time: referrals arrive, meetings sit, actions agreed

WITHOUT_CONSENT = (
    "The victim did not agree to the referral; the risk of serious harm is too high to wait for consent.",
    "The victim withdrew consent after the incident; the children's safety needs the agencies to share now.",
)
NOT_AWARE = (
    "Not told yet: telling the victim now could increase the risk from the perpetrator. The IDVA will tell "
    "the victim when it is safe.",
    "The victim could not be reached safely before the cut-off; referred without consent because of the risk.",
)
JUDGEMENT = (
    "Fewer than 14 ticks, but the victim is terrified, the abuse is escalating and a separation is "
    "imminent: high risk on professional judgement.",
    "Strangulation and threats to kill reported; the victim minimised other answers. High risk on judgement.",
    "Controlling behaviour and stalking since separation; the perpetrator has access to the children.",
    "The victim discloses more to the agency than to the police: sexual abuse and isolation from family.",
)
RESEARCH = {
    "police": ("Police research: {n} domestic abuse incident(s) known in 12 months; the perpetrator has "
               "previous convictions for violence; warning markers checked.",
               "Police research: bail conditions in force (no contact, not to attend the address); "
               "{n} incident(s) in 12 months; intelligence checked."),
    "idva-service": ("IDVA: in contact with the victim since the referral; safety plan in place; the victim "
                     "reports ongoing texts and calls.",
                     "IDVA: not yet engaged; two attempts at safe contact made. Will try again through the GP."),
    "childrens-services": ("Children's services: the children are known; a child and family assessment is "
                           "open.", "Children's services: not known to the service."),
    "health": ("Health: the victim attended the emergency department twice this year with injuries.",
               "Health: the GP holds a record of anxiety and low mood; no disclosure recorded."),
    "housing": ("Housing: the tenancy is in joint names; a repairs request after damage to the door.",
                "Housing: no housing record for the victim at this address."),
    "probation": ("Probation: the perpetrator is on licence; the offender manager has been told.",),
    "education": ("Education: the school reports worries about attendance and the children's wellbeing.",),
}
DISCUSSION_OPENINGS = (
    "The IDVA has spoken with the victim, who wants support to stay safe at home.",
    "The victim is staying with family; the IDVA keeps contact through a safe number.",
    "The victim has not engaged yet; the IDVA will keep trying through the GP and the school.",
    "The victim has asked for help to move to a refuge out of the area.",
)
DISCUSSION_RISKS = (
    "Police said the perpetrator is on bail not to contact the victim and reported a breach last week.",
    "The perpetrator is not in custody and has been seen near the address.",
    "The perpetrator is in custody awaiting trial; release dates are to be shared when known.",
    "Threats to kill were made during the last incident.",
)
DISCUSSION_REPEAT = "Repeat case: further abuse since the last MARAC; the earlier actions were reviewed."
ACTIONS = {
    "police": ("Flag the address and the victim's phone for an urgent response", "Consider a domestic violence "
               "protection notice", "Serve a harassment warning and review bail conditions"),
    "idva-service": ("Review the safety plan with the victim", "Support the victim to apply for a non-molestation "
                     "order", "Refer the victim for counselling and keep weekly contact"),
    "childrens-services": ("Complete a child and family assessment", "Hold a strategy discussion about the "
                           "children"),
    "housing": ("Fit extra locks and a door alarm at the address (sanctuary scheme)", "Assess for a management "
                "transfer"),
    "health": ("Tell the GP and the health visitor; flag the records", "Offer the victim an appointment with the "
               "practice's domestic abuse lead"),
    "probation": ("Review the perpetrator's licence conditions", "Refer the perpetrator to a behaviour change "
                  "programme"),
    "education": ("Tell the school's designated safeguarding lead and agree support for the children",),
}
CANCELLED = "No longer needed: circumstances changed (the victim moved away from the area)."

COLUMNS = {
    "marac_referral": ("id", "public_id", "area_id", "victim_id", "perpetrator_id", "risk_assessment_id",
                       "referring_agency_id", "referred_by_id", "received_on", "criteria", "judgement_reason",
                       "incidents_12m", "is_repeat", "children", "victim_aware", "victim_consents",
                       "reason_without_consent", "idva_referral_made", "meeting_id", "status", "discussion",
                       "created_at"),
    "marac_referral_incident": ("id", "maracreferral_id", "incident_id"),
    "marac_research": ("id", "public_id", "referral_id", "agency_id", "author_id", "text", "added_at"),
    "marac_action": ("id", "public_id", "referral_id", "meeting_id", "description", "agency_id", "owner_id",
                     "due_on", "status", "completed_on", "outcome", "escalated_at", "agreed_by_id", "agreed_at"),
}


def models():
    """The generated MARAC tables' models, by the names in `COLUMNS` (imported late: plain Python above)."""
    from vigil.marac.models import MaracAction, MaracReferral, MaracResearch

    return {"marac_referral": MaracReferral, "marac_referral_incident": MaracReferral.recent_incidents.through,
            "marac_research": MaracResearch, "marac_action": MaracAction}


def london_day(at: int) -> date:
    return datetime.fromtimestamp(at, LONDON).date()


def london_epoch(day: date, seconds: int) -> int:
    """Epoch seconds of `seconds` after local midnight on `day`."""
    return int(datetime.combine(day, time(), tzinfo=LONDON).timestamp()) + seconds


@dataclass(frozen=True)
class MaracSetup:
    """What the generator needs from the database (plain data, so a child process can take it)."""

    area_id: int
    anchor: date
    every_days: int
    cut_off_working_days: int
    meetings: dict[date, int]  # held on -> meeting id, held and planned
    last_day: date  # the generated data's last day: meetings after it are planned
    women_aged_16_plus: float  # in one partition
    chair: int
    police_agency: int
    partner_agencies: dict[str, int]  # code -> id
    police_users: tuple[int, ...]
    partner_users: dict[str, int]  # agency code -> the agency's synthetic practitioner
    high_per_year: float  # incidents graded high in one partition, a year
    medium_per_year: float


@dataclass(slots=True)
class _Fact:
    """One DA incident as written: what a referral prompted by it refers to."""

    event: DAEvent
    day: date
    incident: int
    assessment: int
    victim_person: int
    suspect_person: int


@dataclass(slots=True)
class _Referral:
    victim: int  # true person
    person: int
    received: date
    route: str  # "police-incident" (police or partner may refer) or "partner" (only a partner)
    fact: _Fact | None  # the incident that prompted it (None: abuse a partner learned of)
    repeat: bool
    agency: str = ""


@dataclass(slots=True)
class _Victim:
    person: int
    last: _Referral | None = None


class MaracCases:
    """The MARAC referrals, research and actions of one partition."""

    def __init__(self, setup: MaracSetup, *, rng: random.Random):
        self.setup = setup
        self.rng = rng
        self.facts: list[_Fact] = []
        self._meeting_of: dict[date, date | None] = {}
        target = CASES_A_YEAR_PER_10K_WOMEN * setup.women_aged_16_plus / 10_000
        new_high = HIGH_REFERRED_AS_NEW * setup.high_per_year
        new_aimed = NEW_SHARE_AIMED * target
        # A deterministic subset of the high-risk incidents when they alone exceed the recommended volume;
        # otherwise all of them, and partners refer enough medium-risk victims to reach it.
        self.high_share = min(1.0, new_aimed / new_high) if new_high else 0.0
        self.medium_share = max(0.0, new_aimed - new_high) / setup.medium_per_year if setup.medium_per_year else 0.0

    def note(self, event: DAEvent, *, incident: int, assessment: int, victim_person: int,
             suspect_person: int) -> None:
        """One DA incident as written (called in time order)."""
        self.facts.append(_Fact(event, london_day(event.at), incident, assessment, victim_person, suspect_person))

    # Who is referred, when.

    def referrals(self) -> list[_Referral]:
        rng, last_day = self.rng, self.setup.last_day
        victims: dict[int, _Victim] = {}
        later: list[tuple[date, int, int, _Referral]] = []  # partner-reported abuse: (day, order, victim, after)
        made: list[_Referral] = []
        order = 0

        def refer(victim_id: int, received: date, route: str, fact: _Fact | None, person: int) -> None:
            nonlocal order
            state = victims.get(victim_id)
            if state is None:
                state = victims[victim_id] = _Victim(person)
            repeat = state.last is not None and received <= state.last.received + REPEAT_WINDOW
            referral = _Referral(victim_id, state.person, received, route, fact, repeat)
            state.last = referral
            made.append(referral)
            if rng.random() < PARTNER_REPEAT_SHARE:
                order += 1
                heapq.heappush(later, (received + timedelta(days=rng.randint(*PARTNER_REPEAT_DAYS)), order,
                                       victim_id, referral))

        def partner_reports(until: date) -> None:
            while later and later[0][0] <= until:
                day, _, victim_id, after = heapq.heappop(later)
                heard_on = self._heard_on(after.received)
                if victims[victim_id].last is after and day <= last_day and heard_on is not None and heard_on < day:
                    refer(victim_id, day, "partner", None, victims[victim_id].person)

        for fact in self.facts:
            event = fact.event
            partner_reports(fact.day)
            state = victims.get(event.victim.id)
            # A draw for every incident, whatever happens next, keeps the choices independent.
            draw, delay = rng.random(), rng.randint(*POLICE_DELAY_DAYS)
            if state is not None and state.last is not None:
                pending = self._heard_on(state.last.received)
                if pending is None or pending >= fact.day:
                    continue  # still waiting for its meeting, which hears this incident with it
                received = fact.day + timedelta(days=delay)
                if received <= state.last.received + REPEAT_WINDOW:
                    if received <= last_day:
                        refer(event.victim.id, received, "police-incident", fact, state.person)
                    continue
            if event.grade == "high" and draw < self.high_share:
                received = fact.day + timedelta(days=delay)
                route = "police-incident"
            elif event.grade == "medium" and draw < self.medium_share:
                received = fact.day + timedelta(days=rng.randint(*PARTNER_DELAY_DAYS))
                route = "partner"
            else:
                continue
            if received <= last_day:
                refer(event.victim.id, received, route, fact, state.person if state else fact.victim_person)
        partner_reports(last_day)
        self._agencies(made)
        return made

    def _agencies(self, made: Sequence[_Referral]) -> None:
        """About half from the police (who refer only after a police incident), the rest from partners."""
        rng = self.rng
        police_incident = [r for r in made if r.route == "police-incident"]
        police = set(map(id, rng.sample(police_incident, min(len(police_incident),
                                                             round(POLICE_SHARE * len(made))))))
        partners = [r for r in made if id(r) not in police]
        codes = [code for code, count in quota_counts(len(partners), PARTNER_WEIGHTS).items() for _ in range(count)]
        rng.shuffle(codes)
        for referral in made:
            referral.agency = "police" if id(referral) in police else codes.pop()

    def _heard_on(self, received: date) -> date | None:
        """The meeting a referral received that day is heard at (None: after the last meeting made)."""
        if received not in self._meeting_of:
            s = self.setup
            held = schedule.meeting_for_referral(received, s.anchor, s.every_days,
                                                 working_days_before=s.cut_off_working_days)
            self._meeting_of[received] = held if held in s.meetings else None
        return self._meeting_of[received]

    # The rows.

    def rows(self, ids) -> dict[str, list[tuple]]:
        """Every MARAC row of the partition, keys taken from `ids` (the partition's `force.Ids`)."""
        out: dict[str, list[tuple]] = {table: [] for table in COLUMNS}
        incidents_by_victim: dict[int, list[_Fact]] = {}
        for fact in self.facts:
            incidents_by_victim.setdefault(fact.event.victim.id, []).append(fact)
        for referral in self.referrals():
            self._referral_rows(referral, incidents_by_victim[referral.victim], ids, out)
        self.facts = []
        return out

    def _agency_id(self, code: str) -> int:
        return self.setup.police_agency if code == "police" else self.setup.partner_agencies[code]

    def _user_for(self, code: str) -> int:
        if code == "police":
            return self.setup.police_users[self.rng.randrange(len(self.setup.police_users))]
        return self.setup.partner_users[code]

    def _at(self, day: date) -> str:
        start, end = (t.hour * 3600 + t.minute * 60 for t in MEETING_DAY)
        return utc_text(london_epoch(day, self.rng.randrange(start, end)))

    def _referral_rows(self, referral: _Referral, history: list[_Fact], ids, out) -> None:
        rng, s = self.rng, self.setup
        received = referral.received
        known = [f for f in history if received - REPEAT_WINDOW < f.day <= received]
        latest = known[-1] if known else [f for f in history if f.day <= received][-1]
        fact = referral.fact
        assessment = fact.assessment if fact is not None and fact.victim_person == referral.person else None
        yes_count = fact.event.yes_count if fact is not None else None
        criteria, reason = [], ""
        if referral.repeat:
            criteria.append("repeat_marac")
        if assessment is not None and yes_count >= 14:
            criteria.append("visible_high_risk")
        elif not referral.repeat:
            criteria.append("professional_judgement")
            reason = JUDGEMENT[rng.randrange(len(JUDGEMENT))]
        incidents_12m = len(known) + (fact is None)
        if incidents_12m >= 3:
            criteria.append("potential_escalation")
        consent = rng.random()
        aware, consents = consent < AWARE_CONSENTS + AWARE_ONLY, consent < AWARE_CONSENTS
        without = "" if consents else rng.choice(WITHOUT_CONSENT if aware else NOT_AWARE)
        children = [f"{'Girl' if child.sex == 'F' else 'Boy'} aged {(received - child.date_of_birth).days // 365}"
                    for child in latest.event.victim.children if (received - child.date_of_birth).days < 18 * 365]
        perpetrator = latest.suspect_person if latest.suspect_person != referral.person else None
        held = self._heard_on(received)
        heard = held <= s.last_day
        referral_id = ids.take("marac_referral")
        opening = DISCUSSION_OPENINGS[rng.randrange(len(DISCUSSION_OPENINGS))]
        risk = DISCUSSION_RISKS[rng.randrange(len(DISCUSSION_RISKS))]
        discussion = " ".join([DISCUSSION_REPEAT] * referral.repeat + [opening, risk]) if heard else ""
        out["marac_referral"].append((
            referral_id, uuid4_hex(rng), s.area_id, referral.person, perpetrator, assessment,
            self._agency_id(referral.agency), self._user_for(referral.agency), received.isoformat(),
            json.dumps(sorted(criteria)), reason, incidents_12m, referral.repeat, json.dumps(children), aware,
            consents, without, rng.random() < IDVA_REFERRAL_MADE, s.meetings[held], "heard" if heard else "listed",
            discussion, self._at(received)))
        for known_fact in known:
            out["marac_referral_incident"].append((ids.take("marac_referral_incident"), referral_id,
                                                   known_fact.incident))
        self._research_rows(referral_id, referral, known, held, ids, out)
        if heard:
            self._action_rows(referral_id, held, ids, out)

    def _research_rows(self, referral_id: int, referral: _Referral, known, held: date, ids, out) -> None:
        rng = self.rng
        agencies = ["police"] + [code for code, share in (("idva-service", 0.7), ("childrens-services", 0.3),
                                                          ("health", 0.25), ("housing", 0.15)) if rng.random() < share]
        days = max(1, (held - referral.received).days)
        for code in agencies:
            texts = RESEARCH[code]
            text = texts[rng.randrange(len(texts))].format(n=len(known))
            added = min(referral.received + timedelta(days=rng.randrange(days)), self.setup.last_day)
            out["marac_research"].append((ids.take("marac_research"), uuid4_hex(rng), referral_id,
                                          self._agency_id(code), self._user_for(code), text, self._at(added)))

    def _action_rows(self, referral_id: int, held: date, ids, out) -> None:
        rng, s = self.rng, self.setup
        codes = list(ACTION_WEIGHTS)
        chosen: list[str] = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            code = rng.choices(codes, [ACTION_WEIGHTS[c] for c in codes])[0]
            if code not in chosen:
                chosen.append(code)
        agreed_at = self._at(held)
        for code in chosen:
            due = held + timedelta(days=rng.randint(*ACTION_DUE_DAYS))
            texts = ACTIONS[code]
            description = texts[rng.randrange(len(texts))]
            draw = rng.random()
            if draw < ACTION_ON_TIME:
                status, closed, outcome = "done", due - timedelta(days=rng.randint(0, (due - held).days)), ""
            elif draw < ACTION_ON_TIME + ACTION_LATE:
                status, closed, outcome = "done", due + timedelta(days=rng.randint(*ACTION_LATE_DAYS)), ""
            else:
                status, closed, outcome = "cancelled", held + timedelta(days=rng.randint(1, (due - held).days)), \
                    CANCELLED
            escalated = None
            if closed > s.last_day:  # not closed by the end of the data: still open
                status, closed, outcome = "open", None, ""
            if due < min(closed or s.last_day, s.last_day):  # overdue before it closed: the worker escalated it
                escalated = utc_text(london_epoch(due + timedelta(days=1), 7 * 3600))
            out["marac_action"].append((
                ids.take("marac_action"), uuid4_hex(rng), referral_id, s.meetings[held], description,
                self._agency_id(code), self._user_for(code), due.isoformat(), status,
                closed.isoformat() if closed else None, outcome, escalated, s.chair, agreed_at))


# --- the database side: the area, its agencies and users, its meetings --------------------------------------

AREA = ("llr-marac", "Leicester, Leicestershire and Rutland MARAC (synthetic)")
CHAIR = ("demo-marac-chair", "MARAC chair")
MEETING_WEEKDAY = 3  # Thursday
PRESENT, APOLOGIES = 0.85, 0.1  # of the invited partners other than the IDVA service; the rest absent


def _synthetic_user(username: str, role: str, agency, last_name: str, team=None):
    from vigil.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, agency=agency, first_name="Demo", last_name=last_name)
        user.set_unusable_password()
        user.save()
        if team is not None:
            user.teams.add(team)
    return user


def setup_ensure(*, profile, volumes, partition_scale: float, scale: float, seed: int, area_ids: list[int],
                 specialist_ids: tuple[int, ...]) -> MaracSetup:
    """The force's MARAC (made once, reused by later runs): the area over every policing area, its
    member agencies (the force and the demo partners), the synthetic chair and one practitioner per
    partner agency (unusable passwords), and its meetings with their attendance from the first after the
    generated years start to the first whose cut-off is after they end."""
    from vigil.accounts.demo_users import FORCE, PARTNERS
    from vigil.accounts.models import Agency, Team
    from vigil.marac.models import MaracArea, MaracAttendance, MaracMeeting

    from .population import year_bounds

    force = Agency.objects.get(code=FORCE[0])
    partners = {code: Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]
                for code, name, kind in PARTNERS}
    team, _ = Team.objects.get_or_create(code="marac", defaults={"name": "MARAC coordination",
                                                                 "kind": Team.Kind.MARAC, "agency": force})
    bounds = year_bounds(profile)
    first_day, last_day = london_day(bounds[0][0]), london_day(bounds[-1][1] - 1)
    anchor = first_day + timedelta(days=(MEETING_WEEKDAY - first_day.weekday()) % 7)
    area, created = MaracArea.objects.get_or_create(code=AREA[0], defaults={
        "name": AREA[1], "anchor_date": anchor, "coordinating_team": team,
        "women_aged_16_plus": round(profile.women_aged_16_plus * scale)})
    if created:
        area.areas.set(area_ids)
        area.member_agencies.set([force, *partners.values()])
    chair = _synthetic_user(CHAIR[0], "specialist_investigator", force, CHAIR[1], Team.objects.get(code="daiu"))
    partner_users = {code: _synthetic_user(f"demo-partner-{code}", "partner_practitioner", agency,
                                           f"{agency.name.split(' (')[0]} practitioner").pk
                     for code, agency in partners.items()}

    cut_off = area.cut_off_working_days
    end = schedule.next_meeting(area.anchor_date, area.meets_every_days, last_day)
    while schedule.referral_cut_off(end, working_days_before=cut_off) < last_day:
        end = schedule.next_meeting(area.anchor_date, area.meets_every_days, end + timedelta(days=1))
    dates = schedule.meeting_dates(area.anchor_date, area.meets_every_days, first_day, end)
    existing = dict(MaracMeeting.objects.filter(area=area).values_list("held_on", "pk"))
    rng = random.Random(f"{seed}:marac-meetings")
    new, attendance = [], []
    members = list(area.member_agencies.order_by("pk"))
    for held_on in dates:
        public_id = uuid4_hex(rng)
        draws = [rng.random() for _ in members]
        if held_on in existing:
            continue
        held = held_on <= last_day
        recorded = datetime.combine(held_on, time(16, 30), tzinfo=LONDON).astimezone(UTC)
        meeting = MaracMeeting(public_id=public_id, area=area, held_on=held_on, chair=chair if held else None,
                               status="held" if held else "planned", recorded_at=recorded if held else None)
        new.append(meeting)
        for agency, draw in zip(members, draws, strict=True):
            status = "invited"
            if held:
                status = ("present" if agency.is_force or agency.code == "idva-service" or draw < PRESENT
                          else "apologies" if draw < PRESENT + APOLOGIES else "absent")
            representative = (chair.pk if agency.is_force else partner_users.get(agency.code)) \
                if status == "present" else None
            attendance.append((meeting, agency, status, representative))
    MaracMeeting.objects.bulk_create(new)
    MaracAttendance.objects.bulk_create([MaracAttendance(meeting=m, agency=a, status=s, representative_id=r)
                                         for m, a, s, r in attendance])
    meetings = dict(MaracMeeting.objects.filter(area=area, held_on__in=dates).values_list("held_on", "pk"))
    grade_shares = profile.active_case_grade_shares
    return MaracSetup(
        area_id=area.pk, anchor=area.anchor_date, every_days=area.meets_every_days, cut_off_working_days=cut_off,
        meetings=meetings, last_day=last_day, women_aged_16_plus=profile.women_aged_16_plus * partition_scale,
        chair=chair.pk, police_agency=force.pk, partner_agencies={c: a.pk for c, a in partners.items()},
        police_users=(chair.pk, *specialist_ids), partner_users=partner_users,
        high_per_year=volumes.da_incidents * grade_shares["high"],
        medium_per_year=volumes.da_incidents * grade_shares["medium"])
