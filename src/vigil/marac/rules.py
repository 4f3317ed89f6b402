"""Who may do what in MARAC. Police roles that work MARAC see every referral; partner practitioners see
only the cases on the agendas of meetings their agency is invited to (selectors.py scopes the rows)."""

import rules

from vigil.accounts.rules import has_role, is_force_user
from vigil.cases.rules import CASE_WORKERS

# Police roles that work MARAC and see every referral and action: the coordinator runs it; the specialist
# investigators own the high-risk cases it hears; repeat-case officers plan problem-solving with partners.
MARAC_POLICE_ROLES = ("marac_coordinator", "specialist_investigator", "repeat_case_officer")

works_marac = is_force_user & has_role(*MARAC_POLICE_ROLES)
coordinates_marac = is_force_user & has_role("marac_coordinator")
is_marac_partner = ~is_force_user & has_role("partner_practitioner")
# About half of referrals come from partners (domain.md): partners and the force's case workers refer.
refers_to_marac = (is_force_user & has_role(*CASE_WORKERS, "marac_coordinator")) | is_marac_partner

rules.add_perm("marac.view_marac", works_marac | is_marac_partner)
rules.add_perm("marac.refer", refers_to_marac)
rules.add_perm("marac.coordinate", coordinates_marac)
rules.add_perm("marac.view_figures", works_marac)
# The SafeLives data return (counts only): the coordinator sends it, analysts study it.
rules.add_perm("marac.data_return", is_force_user & has_role("marac_coordinator", "analyst"))
