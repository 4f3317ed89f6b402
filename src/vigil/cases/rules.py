"""Who may see and work on safeguarding cases. Partner agencies see cases only through MARAC (issue 8)."""

import rules

from vigil.accounts.rules import has_role, is_force_user

CASE_WORKERS = ("response_officer", "supervisor", "specialist_investigator", "neighbourhood_officer",
                "repeat_case_officer")

works_cases = is_force_user & has_role(*CASE_WORKERS)
reads_cases = is_force_user & has_role(*CASE_WORKERS, "marac_coordinator")
manages_cases = is_force_user & has_role("supervisor")
handles_disclosures = is_force_user & has_role("specialist_investigator", "supervisor")
exports_timelines = is_force_user & has_role("specialist_investigator", "supervisor", "auditor")

rules.add_perm("cases.view_case", reads_cases)
rules.add_perm("cases.work_on_case", works_cases)
rules.add_perm("cases.view_my_work", works_cases | is_force_user & has_role("marac_coordinator"))
rules.add_perm("cases.take_back", manages_cases)
rules.add_perm("cases.handle_disclosure", handles_disclosures)
# Force case workers record acknowledgements for any referral; a partner agency's practitioners only
# for referrals sent to their agency (the view and the service scope it).
rules.add_perm("cases.acknowledge_referral", works_cases | ~is_force_user & has_role("partner_practitioner"))
rules.add_perm("cases.export_timeline", exports_timelines)
rules.add_perm("cases.view_worker_status", is_force_user & has_role("administrator"))
