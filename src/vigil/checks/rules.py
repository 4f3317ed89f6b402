"""Who may use the control room: history, background checks, the board, call reviews, the officer's brief."""

import rules

from vigil.accounts.rules import has_role, is_force_user

CONTROL_ROOM_ROLES = ("call_taker", "control_room_supervisor", "dispatcher", "intelligence_researcher")

records_calls = is_force_user & has_role("call_taker", "control_room_supervisor")
# History is read by the control room and by those who attend; the API's system account reads it too.
reads_history = is_force_user & has_role(*CONTROL_ROOM_ROLES, "response_officer", "supervisor", "control_system")
works_checks = is_force_user & has_role(*CONTROL_ROOM_ROLES, "response_officer")
reads_officer_brief = is_force_user & has_role(*CONTROL_ROOM_ROLES, "response_officer", "supervisor")
supervises_control_room = is_force_user & has_role("control_room_supervisor")
pushes_incidents = is_force_user & has_role("control_system")

rules.add_perm("incidents.record_call", records_calls)
rules.add_perm("incidents.push_incident", pushes_incidents)
rules.add_perm("checks.view_history", reads_history)
rules.add_perm("checks.work_checks", works_checks)
rules.add_perm("checks.view_officer_brief", reads_officer_brief)
rules.add_perm("checks.view_board", supervises_control_room)
rules.add_perm("checks.acknowledge_board", supervises_control_room)
rules.add_perm("checks.review_calls", supervises_control_room)
