"""Who may import: bringing a force's records in (and reading the quarantine, which holds the rows as sent)
is the force administrators' work."""

import rules

from vigil.accounts.rules import has_role, is_force_user

rules.add_perm("imports.manage", is_force_user & has_role("administrator"))
