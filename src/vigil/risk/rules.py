"""Who may assess, supervise, review and analyse risk."""

import rules

from vigil.accounts.rules import has_role, is_force_user

assesses = is_force_user & has_role("response_officer", "supervisor", "specialist_investigator")
supervises = is_force_user & has_role("supervisor")
reviews_as_specialist = is_force_user & has_role("specialist_investigator")
reads_assessments = is_force_user & has_role("response_officer", "supervisor", "specialist_investigator",
                                             "neighbourhood_officer", "repeat_case_officer", "marac_coordinator")
analyses = is_force_user & has_role("analyst", "supervisor", "specialist_investigator")
loads_instruments = is_force_user & has_role("administrator")

rules.add_perm("risk.assess", assesses)
rules.add_perm("risk.view_assessment", reads_assessments)
rules.add_perm("risk.supervise", supervises)
rules.add_perm("risk.review_as_specialist", reviews_as_specialist)
rules.add_perm("risk.review_grading", supervises | reviews_as_specialist)
rules.add_perm("risk.view_supervision_report", is_force_user & has_role("supervisor", "analyst"))
rules.add_perm("risk.view_capacity_analysis", analyses)
rules.add_perm("risk.load_instrument", loads_instruments)
