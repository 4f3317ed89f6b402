"""Navigation by role: each role sees links only to what it may use."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from .selectors import SecondFactorStep, second_factor_step

# (label, url name, roles that see it; None means every signed-in user)
NAV_ITEMS: list[tuple[str, str, frozenset[str] | None]] = [
    ("Home", "accounts:home", None),
    ("API", "api:root", None),
    ("Administration", "admin:index", frozenset({"administrator"})),
]


def navigation_for(user, current_path: str) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    is_verified = getattr(user, "is_verified", None)
    step = second_factor_step(user=user, is_verified=bool(is_verified and is_verified()),
                              demo_mode=settings.DEMO_MODE)
    if step is not SecondFactorStep.NONE:
        return []  # nothing to link to until the second factor is passed
    items = []
    for label, url_name, roles in NAV_ITEMS:
        if roles is not None and user.role not in roles:
            continue
        try:
            href = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "href": href, "active": current_path == href})
    return items
