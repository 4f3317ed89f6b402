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
