"""Who may use events out: force administrators keep the subscriptions, read the delivery log and replay."""

import rules

from vigil.accounts.rules import has_role, is_force_user

rules.add_perm("events.manage", is_force_user & has_role("administrator"))
