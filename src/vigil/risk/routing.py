"""Which assessments the specialist unit must review (domain.md: all high risk; medium risk with a serious
offence; any so-called honour-based abuse, forced marriage or FGM), and the other risk factors an officer
records. Plain rules, no Django."""

from collections.abc import Iterable

OTHER_FACTORS = {
    "honour_based_abuse": "So-called honour-based abuse",
    "forced_marriage": "Forced marriage",
    "fgm": "Female genital mutilation (FGM)",
    "disability": "Disability",
    "substance_misuse": "Substance misuse",
    "mental_health": "Mental health",
    "language_barrier": "Cultural or language barriers",
    "minimisation": "Minimisation by the victim",
    "unwilling_to_engage": "Unwilling to engage",
    "abuser_weapons_access": "The abuser's access to weapons",
}
SPECIALIST_FACTORS = ("honour_based_abuse", "forced_marriage", "fgm")
# Home Office offence groups that make a medium-risk case serious enough for the specialist unit.
SERIOUS_OFFENCE_GROUPS = frozenset({"assault_with_intent", "assault_with_injury", "sexual_offences"})


def specialist_reasons(*, grade: str, offence_groups: Iterable[str], other_factors: Iterable[str]) -> list[str]:
    """The reasons the specialist unit must review, in words; empty when it need not."""
    reasons = []
    if grade == "high":
        reasons.append("Graded high risk")
    serious = sorted(set(offence_groups) & SERIOUS_OFFENCE_GROUPS)
    if grade == "medium" and serious:
        reasons.append("Medium risk with a serious offence (" + ", ".join(g.replace("_", " ") for g in serious) + ")")
    for factor in SPECIALIST_FACTORS:
        if factor in set(other_factors):
            reasons.append(OTHER_FACTORS[factor])
    return reasons
