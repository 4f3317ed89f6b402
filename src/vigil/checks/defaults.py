"""Where a new force starts: the default background-check policy and the first edition of the call
takers' guidance. Installed by migration 0002; administrators edit both afterwards."""

from django.apps import apps as django_apps
from django.utils import timezone

# kind, performed_by, domestic_abuse_only, grades, deadline_minutes
DEFAULT_RULES = [
    ("force_systems", "call_taker", False, "1,2,3,4", 5),
    ("orders_and_bail", "call_taker", True, "1,2,3,4", 5),
    ("previous_risk", "call_taker", True, "1,2,3,4", 5),
    ("marac", "dispatcher", True, "1,2", 10),
    ("marac", "intelligence_researcher", True, "3,4", 60),
    ("childrens_services", "intelligence_researcher", True, "1,2", 30),
    ("childrens_services", "intelligence_researcher", True, "3,4", 240),
    ("firearms", "dispatcher", True, "1,2", 5),
    ("firearms", "intelligence_researcher", True, "3,4", 60),
]

GUIDANCE = [
    ("open-questions", "Open questions to ask", """\
- Are you safe to talk right now? Can anyone hear you?
- Can you tell me what is happening?
- Who else is in the house with you? Are there any children there?
- Has anyone been hurt? Does anyone need an ambulance?
- Is the person who hurt you still there? Where are they now?
- Are there any weapons in the house, or has anyone threatened to use one?
- Has this happened before? Has it been getting worse or happening more often?
- Is there a word we agreed with you before that you can use if you cannot speak freely?
If the caller cannot speak, ask questions they can answer yes or no."""),
    ("coercive-control", "Signs of coercive control", """\
Coercive control is a pattern, not one incident. Listen for:
- The caller is not allowed money, a phone, or to see friends and family.
- Their movements, messages or spending are checked or tracked.
- They are put down, threatened, or made to feel afraid of what will happen if they disobey.
- They describe "walking on eggshells" or changing what they do to avoid trouble.
- Threats to harm children, pets or to "out" them, or to report them to immigration.
Record the caller's own words: they help the attending officer and any later prosecution."""),
    ("honour-forced-marriage", "So-called honour-based abuse and forced marriage", """\
- Several family members may be involved; the caller may be at risk from people who seem to help.
- Never contact the family or community to check what the caller says, and never use them to interpret.
- Ask whether the caller is being taken abroad, has had their passport taken, or fears a marriage.
- Treat it as high risk until an officer has assessed it; tell the supervisor at once.
- The Forced Marriage Unit and specialist services can help: the attending officer will refer."""),
    ("children", "Children", """\
- Ask how many children live there, their ages, and whether they are in the house now.
- Ask whether any child is hurt, has seen or heard the abuse, or has tried to intervene.
- Record every child present: the attending officer must see them, and their school will be told
  through Operation Encompass before the next school day.
- A pregnancy, or a new baby in the house, raises the risk: ask and record it."""),
    ("stalking", "Stalking and harassment", """\
Remember FOUR: behaviour that is Fixated, Obsessive, Unwanted and Repeated.
- Ask how often it happens, for how long, and whether it is getting worse.
- Ask about visits to home or work, following, messages, tracking, damage to property.
- Ask whether there have been threats of violence, or contact with friends, family or children.
- Advise the caller to keep every message and note each event; do not delete anything."""),
    ("safety-advice", "Safety advice to give", """\
- If the person is there now: can you get to a room with a way out and a phone? Avoid the kitchen,
  garage and rooms where weapons may be.
- If you need to leave, take the children, and do not stop to collect belongings.
- Keep the phone with you; if you cannot talk, stay on the line and cough or press a key.
- Officers are on their way. Do not open the door to anyone but the police.
- After the call: the National Domestic Abuse Helpline is free and open day and night."""),
    ("keep-on-line", "Keeping the caller on the line", """\
- Stay calm and speak slowly; tell the caller help is on the way and you will stay with them.
- If the caller cannot speak, ask yes or no questions and listen to the background.
- If the line goes quiet, keep the line open and listen: do not hang up.
- If the call drops, call back only on the number the caller used, unless it is unsafe, and tell
  the supervisor: the officers still attend.
- Silent 999 calls: if the caller presses 55 when prompted, the call comes through; stay with it."""),
]


def defaults_install(apps=django_apps) -> None:
    """Install the defaults where none exist (tests that empty the database call it again)."""
    CheckRule = apps.get_model("checks", "CheckRule")
    GuidanceTopic = apps.get_model("checks", "GuidanceTopic")
    GuidanceRevision = apps.get_model("checks", "GuidanceRevision")
    if CheckRule.objects.exists() or GuidanceTopic.objects.exists():
        return
    for kind, performed_by, da_only, grades, minutes in DEFAULT_RULES:
        CheckRule.objects.create(kind=kind, performed_by=performed_by, domestic_abuse_only=da_only,
                                 grades=grades, deadline_minutes=minutes)
    now = timezone.now()
    for position, (slug, title, body) in enumerate(GUIDANCE):
        topic = GuidanceTopic.objects.create(slug=slug, title=title, position=position)
        GuidanceRevision.objects.create(topic=topic, body=body, revised_at=now, note="First edition")
