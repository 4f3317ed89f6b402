"""Who may do what: predicates on the user's role and agency, and the permissions built from them."""

import rules

from .roles import ROLES


def has_role(*codes: str):
    unknown = set(codes) - {r.code for r in ROLES}
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    @rules.predicate(name=f"has_role({','.join(codes)})")
    def predicate(user) -> bool:
        return bool(user.is_authenticated and user.is_active and getattr(user, "role", None) in codes)

    return predicate


@rules.predicate
def is_signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


@rules.predicate
def is_force_user(user) -> bool:
    return bool(is_signed_in(user) and user.agency_id and user.agency.is_force)


is_administrator = has_role("administrator")

rules.add_perm("accounts.view_home", is_signed_in)
rules.add_perm("accounts.use_second_factor", is_signed_in)
rules.add_perm("accounts.use_admin", is_administrator & is_force_user)
rules.add_perm("api.view_root", is_signed_in)
