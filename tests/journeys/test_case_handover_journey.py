"""Handovers in the browser: a neighbourhood officer hands a case to a named specialist, who finds it in
"My work" and accepts it; a second handover, to the neighbourhood team's queue, is rejected with a
reason, and the sender sees the rejection and still owns the case. axe-core finds nothing on any page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from tests.journeys.pages import SignInPage, VigilPage
from vigil.cases.models import Handover

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class CasePage(VigilPage):
    def __init__(self, page, public_id=None):
        super().__init__(page)
        if public_id is not None:
            self.path = f"/cases/{public_id}/"

    @property
    def owner(self) -> str:
        return self.page.locator("#case-owner").inner_text()

    @property
    def pending_handover(self) -> str:
        return self.page.locator("#pending-handover").inner_text()

    @property
    def past_handovers(self) -> str:
        return self.page.locator("#past-handovers + ul").inner_text()

    def hand_over(self) -> "HandoverPage":
        self.page.get_by_role("link", name="Hand the case over").click()
        self.page.wait_for_load_state()
        return HandoverPage(self.page)

    def accept(self):
        self.page.get_by_role("button", name="Accept the handover").click()
        self.page.wait_for_load_state()

    def reject(self) -> "RejectPage":
        self.page.get_by_role("link", name="Reject the handover").click()
        self.page.wait_for_load_state()
        return RejectPage(self.page)


class HandoverPage(VigilPage):
    def offer(self, *, team: str, member: str | None, reason: str):
        self.page.get_by_role("group", name="Which team should own the case?").get_by_label(team, exact=False).check()
        if member:
            self.page.get_by_label("Offer it to a named member of that team").select_option(label=member)
        self.page.get_by_label("Why are you handing the case over?").fill(reason)
        self.page.get_by_role("button", name="Offer the handover").click()
        self.page.wait_for_load_state()


class RejectPage(VigilPage):
    def reject(self, reason: str):
        self.page.get_by_label("Why are you rejecting the handover?").fill(reason)
        self.page.get_by_role("button", name="Reject the handover").click()
        self.page.wait_for_load_state()

    @property
    def error_summary(self) -> str:
        return self.page.locator(".govuk-error-summary").inner_text()


class MyWorkPage(VigilPage):
    path = "/cases/my-work/"

    def rows(self) -> list[str]:
        return self.page.locator("#work tbody tr").all_inner_texts()

    def open_case(self, reference: str) -> CasePage:
        self.page.locator("#work").get_by_role("link", name=reference).first.click()
        self.page.wait_for_load_state()
        return CasePage(self.page)


def signed_in(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_violations = []
    page.on("console", lambda m: page.csp_violations.append(m.text) if "Content Security Policy" in m.text else None)
    SignInPage(page).open().sign_in(user.username, factories.TEST_PASSWORD)
    return context, page


def person(role, team, username, first, last):
    user = factories.user_create(role=role, teams=[team], username=username)
    user.first_name, user.last_name = first, last
    user.save()
    return user


@pytest.fixture
def world():
    hood = factories.team_create(kind="neighbourhood")
    hood.name = "North neighbourhood team"
    unit = factories.team_create(kind="specialist")
    unit.name = "DAIU North"
    sergeant = person("supervisor", hood, "sgt-north", "Pat", "Sergeant")
    hood.supervisor = sergeant
    hood.save()
    unit_sergeant = person("supervisor", unit, "sgt-daiu", "Lee", "Inspector")
    unit.supervisor = unit_sergeant
    unit.save()
    officer = person("neighbourhood_officer", hood, "pc-north", "Nia", "Hood")
    specialist = person("specialist_investigator", unit, "di-daiu", "Sam", "Unit")
    person("specialist_investigator", unit, "dc-daiu", "Kit", "Other")
    victim = factories.person_record_create(given_name="Vera", family_name="Journeycase")
    incident = factories.incident_create(victim=victim, received_at=timezone.now() - timedelta(hours=6))
    case = factories.case_create(victim=victim, incident=incident, owner=officer, owning_team=hood,
                                 risk_level="medium")
    return dict(hood=hood, unit=unit, officer=officer, specialist=specialist, case=case)


def test_a_handover_to_a_named_specialist_is_accepted_and_one_to_a_queue_is_rejected(browser, live_server, world):
    case, reference = world["case"], world["case"].incident.reference
    officer_context, officer_page = signed_in(browser, live_server, world["officer"])
    specialist_context, specialist_page = signed_in(browser, live_server, world["specialist"])
    try:
        # The neighbourhood officer offers the case to Sam Unit by name.
        case_page = CasePage(officer_page, case.public_id).open()
        assert case_page.heading == "Safeguarding case: Vera Journeycase"
        assert "Nia Hood (you)" in case_page.owner
        assert case_page.accessibility_violations() == []
        handover_page = case_page.hand_over()
        assert handover_page.accessibility_violations() == []
        handover_page.offer(team="DAIU North", member="Sam Unit", reason="Medium risk with a serious assault: "
                            "the unit is investigating the suspect already")
        case_page = CasePage(officer_page)
        assert "Handover offered to Sam Unit" in officer_page.locator(".govuk-notification-banner").inner_text()
        assert "Nia Hood stays the owner until it is accepted" in case_page.pending_handover
        assert "Nia Hood (you)" in case_page.owner

        # The specialist finds it in My work and accepts it.
        my_work = MyWorkPage(specialist_page).open()
        assert my_work.accessibility_violations() == []
        assert any(reference in row and "Handover offered to you" in row for row in my_work.rows())
        case_page = my_work.open_case(reference)
        assert case_page.accessibility_violations() == []
        case_page.accept()
        assert "Sam Unit (you), DAIU North" in case_page.owner
        history = specialist_page.locator("#ownership-history tbody").inner_text()
        assert "Nia Hood" in history and "Handover accepted" in history

        # The specialist offers it back to the neighbourhood team's queue; the officer rejects it.
        case_page.hand_over().offer(team="North neighbourhood team", member=None,
                                    reason="Risk reduced after the suspect was remanded; local follow-up")
        my_work = MyWorkPage(officer_page).open()
        assert any(reference in row and "North neighbourhood team queue" in row for row in my_work.rows())
        reject_page = my_work.open_case(reference).reject()
        assert reject_page.accessibility_violations() == []
        reject_page.reject("")  # a rejection without a reason is refused, and says why
        assert "Give the reason for rejecting the handover" in reject_page.error_summary
        assert reject_page.accessibility_violations() == []
        reject_page.reject("Still high harm: the suspect's bail hearing is next week, keep it with the unit")
        assert Handover.objects.get(case=case, status="rejected").rejection_reason.startswith("Still high harm")

        # The sender sees the rejection and its reason, and still owns the case.
        my_work = MyWorkPage(specialist_page).open()
        assert any("Handover rejected" in row and reference in row for row in my_work.rows())
        case_page = CasePage(specialist_page, case.public_id).open()
        assert "Sam Unit (you)" in case_page.owner
        assert "Rejected" in case_page.past_handovers and "keep it with the unit" in case_page.past_handovers
        assert case_page.accessibility_violations() == []
        assert officer_page.csp_violations == [] and specialist_page.csp_violations == []
    finally:
        officer_context.close()
        specialist_context.close()
