"""Demo agencies, teams and one user per role, for the synthetic force only."""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from vigil.incidents.models import Area

from .models import Agency, Team, User
from .roles import ROLES

FORCE = ("leicestershire-police", "Leicestershire Police (synthetic)", Agency.Kind.FORCE)
PARTNERS = [
    ("idva-service", "Independent domestic violence advisers (synthetic)", Agency.Kind.IDVA),
    ("childrens-services", "Children's services (synthetic)", Agency.Kind.CHILDRENS_SERVICES),
    ("education", "Education safeguarding (synthetic)", Agency.Kind.EDUCATION),
    ("housing", "Housing (synthetic)", Agency.Kind.HOUSING),
    ("health", "Health (synthetic)", Agency.Kind.HEALTH),
    ("probation", "Probation (synthetic)", Agency.Kind.PROBATION),
]
FORCE_TEAMS = [
    ("control-room", "Force control room", Team.Kind.CONTROL_ROOM),
    ("dispatch", "Force control room dispatch", Team.Kind.CONTROL_ROOM),
    ("intelligence", "Force intelligence bureau", Team.Kind.CONTROL_ROOM),
    ("response", "Response", Team.Kind.RESPONSE),
    ("daiu", "Domestic abuse investigation unit", Team.Kind.SPECIALIST),
    ("repeat-case", "Repeat-case team", Team.Kind.REPEAT_CASE),
    ("marac", "MARAC coordination", Team.Kind.MARAC),
    ("analysis", "Performance and analysis", Team.Kind.ANALYSIS),
    ("professional-standards", "Professional standards", Team.Kind.PROFESSIONAL_STANDARDS),
    ("administration", "System administration", Team.Kind.ADMINISTRATION),
]
SUPERVISED_KINDS = (Team.Kind.RESPONSE, Team.Kind.NEIGHBOURHOOD, Team.Kind.SPECIALIST, Team.Kind.REPEAT_CASE)
ROLE_TEAM = {
    "call_taker": "control-room",
    "control_room_supervisor": "control-room",
    "dispatcher": "dispatch",
    "intelligence_researcher": "intelligence",
    "control_system": "control-room",
    "response_officer": "response",
    "supervisor": "response",
    "specialist_investigator": "daiu",
    "repeat_case_officer": "repeat-case",
    "marac_coordinator": "marac",
    "analyst": "analysis",
    "auditor": "professional-standards",
    "administrator": "administration",
}


@dataclass(frozen=True)
class DemoSignIn:
    username: str
    role_name: str
    agency_name: str


def demo_username(role_code: str) -> str:
    return role_code.replace("_", "-")


def demo_password_path():
    return settings.VAR_DIR / "demo-password"


def demo_password() -> str:
    """One password for all demo users, made on first use and kept under var/ (never in the repo)."""
    path = demo_password_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"demo-{secrets.token_urlsafe(9)}")
        path.chmod(0o600)
    return path.read_text().strip()


@transaction.atomic
def demo_users_ensure() -> list[DemoSignIn]:
    """Create (or refresh) the demo agencies, teams and one user per role. Refuses outside demo mode."""
    if not settings.DEMO_MODE:
        raise RuntimeError("Demo users exist only in demo mode (VIGIL_DEMO_MODE=1)")
    force, _ = Agency.objects.get_or_create(code=FORCE[0], defaults={"name": FORCE[1], "kind": FORCE[2]})
    partners = {code: Agency.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})[0]
                for code, name, kind in PARTNERS}
    teams = {code: Team.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "agency": force})[0]
             for code, name, kind in FORCE_TEAMS}
    neighbourhood = None
    for area in Area.objects.order_by("name"):
        team, _ = Team.objects.get_or_create(
            code=f"neighbourhood-{area.code}",
            defaults={"name": f"{area.name} neighbourhood team", "kind": Team.Kind.NEIGHBOURHOOD,
                      "agency": force, "area": area},
        )
        neighbourhood = neighbourhood or team
    idva_team, _ = Team.objects.get_or_create(
        code="idva-team", defaults={"name": "IDVA team", "kind": Team.Kind.PARTNER, "agency": partners["idva-service"]})

    password = demo_password()
    sign_ins = []
    for role in ROLES:
        agency = partners["idva-service"] if role.agency_kind == "partner" else force
        user, _ = User.objects.get_or_create(username=demo_username(role.code),
                                             defaults={"role": role.code, "agency": agency})
        user.role, user.agency = role.code, agency
        user.first_name, user.last_name = "Demo", role.name
        user.is_staff = role.code == "administrator"
        user.is_superuser = False  # a superuser would hold every permission, people's records included
        user.set_password(password)
        user.save()
        if role.code == "partner_practitioner":
            team = idva_team
        elif role.code == "neighbourhood_officer":
            team = neighbourhood
        else:
            team = teams.get(ROLE_TEAM.get(role.code, ""))
        if team is not None:
            user.teams.set([team])
        sign_ins.append(DemoSignIn(user.username, role.name, agency.name))
        if role.code == "supervisor":
            # The demo's one sergeant supervises the teams that own cases: handovers and missed deadlines
            # in any of them reach this user.
            Team.objects.filter(agency=force, kind__in=SUPERVISED_KINDS).update(supervisor=user)
    return sign_ins
