"""Who may decide who is who, and who sees the repeat-victim, serial-perpetrator and counter-allegation
lists."""

import rules

from vigil.accounts.rules import has_role, is_force_user

# Merging and splitting persons: the researchers who check people and places, and supervisors.
decides_identity = is_force_user & has_role("intelligence_researcher", "supervisor")

rules.add_perm("linkage.review_matches", decides_identity)
rules.add_perm("linkage.merge_persons", decides_identity)
rules.add_perm("linkage.split_persons", decides_identity)

# Repeat victims, serial perpetrators and counter-allegations (issue 7, items 3 to 5). Supervisors and
# repeat-case officers (the "commanders") see every area; neighbourhood officers see the lists of their own
# teams' areas only (the selectors refuse another area with 403: `list_selectors.viewer_areas`).
reads_lists = is_force_user & has_role("supervisor", "repeat_case_officer", "neighbourhood_officer")
reads_repeat_queue = is_force_user & has_role("supervisor", "repeat_case_officer")
# Who is the primary victim of a counter-allegation: supervisors, specialist investigators and the
# repeat-case team, force-wide.
decides_counter_allegations = is_force_user & has_role("supervisor", "specialist_investigator",
                                                       "repeat_case_officer")

rules.add_perm("linkage.view_repeat_victims", reads_lists)
rules.add_perm("linkage.view_repeat_queue", reads_repeat_queue)
rules.add_perm("linkage.plan_repeat_victim", reads_lists)
rules.add_perm("linkage.view_serial_perpetrators", reads_lists)
rules.add_perm("linkage.plan_perpetrator", reads_lists)
rules.add_perm("linkage.review_counter_allegations", decides_counter_allegations)
