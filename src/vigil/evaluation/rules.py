"""Who may judge how well risk is being judged (issue 11). The report and the history signal's versions are
counts and measures, no one named: the force's analysts read them, train versions and switch one on."""

import rules

from vigil.accounts.rules import has_role, is_force_user

evaluates_risk = is_force_user & has_role("analyst")

rules.add_perm("evaluation.view_report", evaluates_risk)
rules.add_perm("evaluation.manage_models", evaluates_risk)
