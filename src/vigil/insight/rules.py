"""Who may use insight."""

import rules

from vigil.accounts.rules import has_role, is_force_user, is_signed_in

# Lessons from reviews: analysts and administrators keep the register of reviews and lessons, issue
# briefings and see their coverage; every signed-in user reads and acknowledges the briefings addressed
# to them (lessons_selectors scopes which: by role or team, else "not found").
keeps_lessons = is_force_user & has_role("analyst", "administrator")
rules.add_perm("insight.manage_lessons", keeps_lessons)
rules.add_perm("insight.read_briefings", is_signed_in)

# The performance pack (counts and shares, no one named): analysts produce it; supervisors and
# control-room supervisors manage the stages it measures (risk review, call handling).
views_pack = is_force_user & has_role("analyst", "supervisor", "control_room_supervisor")
rules.add_perm("insight.view_pack", views_pack)

# Victim surveys (survey_*.py): analysts and the officers who keep in touch with victims (neighbourhood and
# repeat-case officers) make the calls, and supervisors, who answer for the service measured; those and
# the pack's readers see the results; the comments (victims' own words) are read by analysts and
# supervisors only, who act on them.
runs_surveys = is_force_user & has_role("analyst", "neighbourhood_officer", "repeat_case_officer", "supervisor")
rules.add_perm("insight.run_surveys", runs_surveys)
rules.add_perm("insight.view_survey_results", runs_surveys | views_pack)
rules.add_perm("insight.read_survey_comments", is_force_user & has_role("analyst", "supervisor"))

# Partner figures (partner_services.py): analysts import the figures partner agencies send them (an IDVA
# service's, for example) for the performance pack, where the pack's readers see them.
rules.add_perm("insight.import_partner_figures", is_force_user & has_role("analyst"))
