"""Page objects: what a person sees and does on each page, so journeys read as steps, not selectors."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

_axe = Axe()


class VigilPage:
    path = "/"

    def __init__(self, page: Page):
        self.page = page

    def open(self):
        self.page.goto(self.path)
        return self

    @property
    def heading(self) -> str:
        return self.page.locator("h1").inner_text()

    @property
    def banner(self) -> str:
        return self.page.locator(".govuk-phase-banner").inner_text()

    def accessibility_violations(self) -> list[str]:
        """axe-core's violations for the page as it stands (all its rules: WCAG A/AA and best practice),
        each as "rule: the elements that break it"."""
        violations = _axe.run(self.page).response["violations"]
        return [f"{v['id']}: {[node['target'] for node in v['nodes']]}" for v in violations]

    def govuk_frontend_started(self) -> bool:
        classes = self.page.locator("body").get_attribute("class") or ""
        return "govuk-frontend-supported" in classes and "js-enabled" in classes

    def screenshot(self, path: str) -> None:
        self.page.screenshot(path=path, full_page=True)


class SignInPage(VigilPage):
    path = "/sign-in/"

    def sign_in(self, username: str, password: str):
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_load_state()

    @property
    def error_summary(self) -> str:
        return self.page.locator(".govuk-error-summary").inner_text()


class SecondFactorPage(VigilPage):
    path = "/second-factor/"

    def is_current(self) -> bool:
        return self.page.url.split("?")[0].endswith(self.path)

    def enter_code(self, code: str):
        self.page.get_by_label("Code from your authenticator app").fill(code)
        self.page.get_by_role("button", name="Continue").click()
        self.page.wait_for_load_state()


class AuthenticatorSetUpPage(VigilPage):
    path = "/second-factor/set-up/"

    def is_current(self) -> bool:
        return self.page.url.split("?")[0].endswith(self.path)

    @property
    def has_qr_code(self) -> bool:
        return self.page.locator(".vigil-qr-code svg").count() == 1

    def confirm_code(self, code: str):
        self.page.get_by_label("Code from your authenticator app").fill(code)
        self.page.get_by_role("button", name="Confirm").click()
        self.page.wait_for_load_state()


class RecoveryCodesPage(VigilPage):
    def codes(self) -> list[str]:
        return [code.strip() for code in self.page.locator(".vigil-recovery-codes li").all_inner_texts()]

    def continue_(self):
        self.page.get_by_role("button", name="Continue").click()
        self.page.wait_for_load_state()


class HomePage(VigilPage):
    path = "/"

    @property
    def role_caption(self) -> str:
        return self.page.locator(".govuk-caption-l").inner_text()

    @property
    def purpose(self) -> str:
        return self.page.locator(".govuk-body-l").inner_text()

    def navigation_labels(self) -> list[str]:
        return [text.strip() for text in self.page.locator(".govuk-service-navigation__item").all_inner_texts()]

    def sign_out(self):
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_load_state()


class PersonSearchPage(VigilPage):
    path = "/people/"

    def search(self, *, family_name: str):
        self.page.get_by_label("Family name").fill(family_name)
        self.page.get_by_role("button", name="Search").click()
        self.page.wait_for_load_state()

    def open_result(self, number: int = 1):
        self.page.get_by_role("link", name=f"Open record {number}").click()
        self.page.wait_for_load_state()


class RestrictedRecordPage(VigilPage):
    def open_with_reason(self, reason: str):
        self.page.get_by_label("Why do you need to open this record?").fill(reason)
        self.page.get_by_role("button", name="Open the record").click()
        self.page.wait_for_load_state()


class AuditSearchPage(VigilPage):
    path = "/audit/"

    def search(self, *, user: str = "", action: str = ""):
        if user:
            self.page.get_by_label("User").fill(user)
        if action:
            self.page.get_by_label("Action").select_option(label=action)
        self.page.get_by_role("button", name="Search").click()
        self.page.wait_for_load_state()

    def result_rows(self) -> list[str]:
        return self.page.locator("table tbody tr").all_inner_texts()


class CallsPage(VigilPage):
    path = "/control/"

    def record_new_999_call(self) -> "IntakePage":
        self.page.get_by_role("button", name="Record a new 999 call").click()
        self.page.wait_for_load_state()
        return IntakePage(self.page)


class IntakePage(VigilPage):
    """The call taker's screen: the form saves itself as it is filled in."""

    def wait_until_saved(self):
        """Until every change has been sent and answered (the form says so in data-save-state)."""
        self.page.locator("#intake-form[data-save-state=saved]").wait_for()
        self.page.locator("#save-status").filter(has_text="Saved at").wait_for()

    def enter_caller_number(self, number: str):
        self.page.get_by_label("Caller's number").fill(number)
        self.page.get_by_label("Caller's number").press("Tab")

    def find_address(self, *, postcode: str, house: str):
        self.page.get_by_label("Postcode").fill(postcode)
        self.page.get_by_label("House number or name").fill(house)
        self.page.get_by_role("button", name="Find address").click()
        self.page.locator("#address-options .govuk-radios__item").first.wait_for()

    def choose_address(self, text: str):
        self.page.locator("#address-options").get_by_label(text, exact=False).check()

    def answer(self, question: str, answer: str):
        self.page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()

    def describe(self, text: str):
        self.page.get_by_label("What is happening").fill(text)

    def add_person(self, *, part: str, given_name: str, family_name: str = ""):
        form = self.page.locator("#person-form")
        form.get_by_label(part, exact=True).check()
        form.get_by_label("First name").fill(given_name)
        form.get_by_label("Last name").fill(family_name)
        form.get_by_role("button", name="Add person").click()
        self.page.wait_for_load_state()

    def history_text(self) -> str:
        return self.page.locator("#history").inner_text()

    def open_guidance(self, title: str) -> str:
        self.page.get_by_text(title, exact=True).click()
        return self.page.locator("details[open]").inner_text()

    def submit(self):
        self.page.get_by_role("button", name="Call recorded: open for dispatch").click()
        self.page.wait_for_load_state()


class BoardPage(VigilPage):
    path = "/control/board/"

    def row_for(self, reference: str):
        return self.page.locator("#board-rows tr", has_text=reference)

    def acknowledge(self, reference: str):
        self.row_for(reference).get_by_role("button", name="Acknowledge").click()
        self.row_for(reference).get_by_text("Acknowledged", exact=True).wait_for()


class RiskAssessmentPage(VigilPage):
    """The officer's assessment on a phone: every answer saves itself the moment it is given."""

    def answer(self, question_text: str, value: str):
        self.page.get_by_role("group", name=question_text, exact=False).get_by_label(value, exact=True).check()

    def answer_question(self, question_id: str, value: str):
        self.page.locator(f"#q-{question_id}-{value}").check()
        self.page.locator(f"#status-{question_id}").filter(has_text="Saved").wait_for()

    def wait_until_saved(self):
        self.page.locator("#assessment-form[data-save-state=saved]").wait_for()

    def answered(self, question_id: str) -> str | None:
        checked = self.page.locator(f"input[name='q-{question_id}']:checked")
        return checked.get_attribute("value") if checked.count() else None

    def unanswered_ids(self) -> list[str]:
        ids = self.page.locator(".vigil-question").evaluate_all("els => els.map(e => e.dataset.question)")
        return [q for q in ids if self.answered(q) is None]

    def continue_to_grading(self):
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Continue to grading").click()
        self.page.locator("h1", has_text="Grade the risk").wait_for()

    def grade(self, grade: str, rationale: str = ""):
        self.page.get_by_label(grade, exact=True).check()
        if rationale:
            self.page.get_by_label("Your reasons").fill(rationale)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="Submit for supervision").click()
        self.page.wait_for_load_state()


class GradingReviewPage(VigilPage):
    """A supervisor's or specialist's review: the whole assessment, then a decision with reasons."""

    def decide(self, *, grade: str, rationale: str, victim_contacted: str | None = None):
        if victim_contacted is not None:
            self.page.get_by_role("group", name="Was the victim contacted?").get_by_label(
                victim_contacted, exact=False).check()
        self.page.get_by_role("group", name="Your grading").get_by_label(grade, exact=False).check()
        self.page.get_by_label("Your rationale").fill(rationale)
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").last.click()
        self.page.wait_for_load_state()
