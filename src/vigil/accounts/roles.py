"""The roles a Vigil user can hold, and what each one does here. Plain data, no Django import."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    agency_kind: str  # "force" or "partner"
    purpose: str
    duties: tuple[str, ...]


ROLES: tuple[Role, ...] = (
    Role("call_taker", "Call taker", "force",
         "Records calls as they happen and sees the history of the address, number and people at once.",
         ("Record an incident while the caller is on the line",
          "See previous incidents, warning markers and risk gradings",
          "Keep domestic abuse guidance at hand")),
    Role("control_room_supervisor", "Control-room supervisor", "force",
         "Oversees the live incident board so that no high-risk domestic abuse call is missed.",
         ("Watch the live board of domestic abuse incidents, highest risk first",
          "Make sure every background check has an owner",
          "Review calls taken by each call taker")),
    Role("dispatcher", "Dispatcher", "force",
         "Sends officers to incidents and makes the checks the policy gives the dispatcher.",
         ("Dispatch officers to incidents by grade",
          "Complete the background checks assigned to dispatch",
          "Keep the attending officer informed on the way")),
    Role("intelligence_researcher", "Intelligence researcher", "force",
         "Makes the deeper background checks on people and places that the policy gives research.",
         ("Complete the background checks assigned to research",
          "Check partner flags and firearms records",
          "Record what was found so the attending officer sees it")),
    Role("response_officer", "Response officer", "force",
         "Attends incidents, completes the risk assessment with the victim and takes positive action.",
         ("Complete the DASH risk assessment with the victim at the scene",
          "Record arrests and safeguarding actions",
          "Notify schools through Operation Encompass")),
    Role("supervisor", "Supervisor (sergeant)", "force",
         "Reviews each risk assessment and agrees or changes the grading, with reasons.",
         ("Review and agree or amend risk gradings",
          "Check that positive action was taken",
          "Accept handovers for the team")),
    Role("specialist_investigator", "Specialist investigator", "force",
         "Owns high-risk cases in the domestic abuse investigation unit.",
         ("Review risk with the victim",
          "Own high-risk safeguarding cases",
          "Track custody, bail and court outcomes")),
    Role("repeat_case_officer", "Repeat-case officer", "force",
         "Manages repeat victims so that none falls below a threshold unseen.",
         ("Work the repeat-victim list", "Set review dates", "Plan problem-solving with partners")),
    Role("neighbourhood_officer", "Neighbourhood officer", "force",
         "Owns standard and medium risk cases in a neighbourhood and keeps in touch with victims.",
         ("Own standard and medium risk cases", "Contact victims on time", "Work with local partners")),
    Role("marac_coordinator", "MARAC coordinator", "force",
         "Runs the multi-agency risk assessment conference: referrals, agendas, minutes and actions.",
         ("Check referrals against the criteria", "Build agendas and research packs",
          "Chase overdue actions")),
    Role("partner_practitioner", "Partner practitioner", "partner",
         "Works for a partner agency (IDVA, children's services, housing, health, probation) on shared cases.",
         ("See cases on your agency's MARAC agendas", "Add research and complete your actions",
          "Refer a victim to MARAC")),
    Role("analyst", "Analyst", "force",
         "Produces the performance pack and studies how well risk is judged.",
         ("Run the performance pack for any period and area", "Analyse victim surveys",
          "Evaluate risk gradings against outcomes")),
    Role("auditor", "Auditor", "force",
         "Checks who looked at and changed personal data, and why.",
         ("Search the audit log by person, user, object and date", "Verify the audit chain",
          "Review access to restricted records")),
    Role("control_system", "Command-and-control system", "force",
         "A system account: the force's command-and-control system pushing incidents and reading history.",
         ("Push incidents through the API",
          "Read history by number, address or person through the API")),
    Role("administrator", "Administrator", "force",
         "Manages users, teams, policy values and reference data.",
         ("Manage users, agencies and teams", "Edit policy values and guidance",
          "Load risk instruments")),
)

ROLE_BY_CODE = {role.code: role for role in ROLES}
ROLE_CHOICES = [(role.code, role.name) for role in ROLES]
FORCE_ROLES = frozenset(r.code for r in ROLES if r.agency_kind == "force")
PARTNER_ROLES = frozenset(r.code for r in ROLES if r.agency_kind == "partner")
