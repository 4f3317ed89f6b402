"""Navigation by role: each role sees links only to what it may use."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from .selectors import SecondFactorStep, second_factor_step

# (label, url name, the permission the page itself requires): a link shows only if the user has it.
NAV_ITEMS: list[tuple[str, str, str]] = [
    ("Home", "accounts:home", "accounts.view_home"),
    ("Briefings for you", "insight:briefings-for-you", "insight.read_briefings"),
    ("My work", "cases:my-work", "cases.view_my_work"),
    ("Calls", "control:calls", "incidents.record_call"),
    ("Live board", "control:board", "checks.view_board"),
    ("Checks", "control:checks", "checks.work_checks"),
    ("Call reviews", "control:call-reviews", "checks.review_calls"),
    ("Risk assessments", "risk:assessments", "risk.assess"),
    ("Supervision", "risk:supervision", "risk.supervise"),
    ("Specialist review", "risk:specialist", "risk.review_as_specialist"),
    ("Supervision report", "risk:supervision-report", "risk.view_supervision_report"),
    ("Capacity analysis", "risk:capacity", "risk.view_capacity_analysis"),
    ("How well risk is judged", "evaluation:report", "evaluation.view_report"),
    ("History signal versions", "evaluation:versions", "evaluation.view_report"),
    ("Referrals", "cases:referrals-received", "cases.acknowledge_referral"),
    ("Clare's Law requests", "cases:disclosures", "cases.handle_disclosure"),
    ("Background work", "cases:worker-status", "cases.view_worker_status"),
    ("Import records", "imports:runs", "imports.manage"),
    ("Find a person", "people:search", "people.search_people"),
    ("Who is who", "linkage:reviews", "linkage.review_matches"),
    ("Repeat victims", "linkage:repeat-victims", "linkage.view_repeat_victims"),
    ("Repeat-case queue", "linkage:repeat-queue", "linkage.view_repeat_queue"),
    ("Serial perpetrators", "linkage:serial-perpetrators", "linkage.view_serial_perpetrators"),
    ("Counter-allegations", "linkage:counter-allegations", "linkage.review_counter_allegations"),
    ("MARAC referrals", "marac:referrals", "marac.view_marac"),
    ("MARAC meetings", "marac:meetings", "marac.view_marac"),
    ("MARAC actions", "marac:actions", "marac.view_marac"),
    ("MARAC information requests", "marac:information-requests", "marac.view_marac"),
    ("MARAC figures", "marac:figures", "marac.view_figures"),
    ("MARAC data return", "marac:data-return", "marac.data_return"),
    ("Performance pack", "insight:pack", "insight.view_pack"),
    ("Partner figures", "insight:partner-figures", "insight.import_partner_figures"),
    ("Victim surveys", "insight:surveys", "insight.run_surveys"),
    ("Survey results", "insight:survey-results", "insight.view_survey_results"),
    ("Lessons from reviews", "insight:reviews", "insight.manage_lessons"),
    ("Audit log", "audit:search", "audit.search_events"),
    ("Events out", "events:subscriptions", "events.manage"),
    ("API", "api:root", "api.view_root"),
    ("Administration", "admin:index", "accounts.use_admin"),
]

# Links that show a count beside their label ("2 unread"): url name to the function (of `user=`) giving it.
NAV_COUNTS: dict[str, str] = {
    "insight:briefings-for-you": "vigil.insight.lessons_selectors.unread_briefing_count",
}


def navigation_for(user, current_path: str) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    is_verified = getattr(user, "is_verified", None)
    step = second_factor_step(user=user, is_verified=bool(is_verified and is_verified()),
                              demo_mode=settings.DEMO_MODE)
    if step is not SecondFactorStep.NONE:
        return []  # nothing to link to until the second factor is passed
    items = []
    for label, url_name, permission in NAV_ITEMS:
        if not user.has_perm(permission):
            continue
        try:
            href = reverse(url_name)
        except NoReverseMatch:
            continue
        item = {"label": label, "href": href, "active": current_path == href}
        if url_name in NAV_COUNTS:
            item["count"] = import_string(NAV_COUNTS[url_name])(user=user)
        items.append(item)
    return items
