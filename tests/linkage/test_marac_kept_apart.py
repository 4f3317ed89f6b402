"""A MARAC referral names a victim and a perpetrator: good evidence they are two people. A re-link never
joins them (even through a third record), and a reviewer's merge is refused with the reason."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from vigil.linkage import services
from vigil.marac.models import MaracReferral

pytestmark = pytest.mark.django_db

REASON = "Same date of birth and the same address on both records"


@pytest.fixture
def referral():
    victim = factories.person_record_create(given_name="Jo", family_name="Sample", dob=date(1980, 1, 2))
    perpetrator = factories.person_record_create(given_name="Joe", family_name="Sample", dob=date(1980, 1, 2))
    area = factories.marac_area_create()
    factories.marac_referral_create(area=area, victim=victim.person, perpetrator=perpetrator.person)
    return victim, perpetrator


def test_a_relink_never_joins_a_referrals_victim_and_perpetrator(referral):
    victim, perpetrator = referral
    third = factories.person_record_create(given_name="J", family_name="Sample", dob=date(1980, 1, 2))

    outcome = services.relink_apply(scored_pairs=[(victim.pk, perpetrator.pk, 0.999), (victim.pk, third.pk, 0.99),
                                                  (third.pk, perpetrator.pk, 0.98)], upper=0.95, lower=0.5)

    victim.refresh_from_db(), perpetrator.refresh_from_db(), third.refresh_from_db()
    assert victim.person_id != perpetrator.person_id
    assert outcome["joins"] == 1 and outcome["blocked_by_decisions"] >= 1
    assert MaracReferral.objects.get().victim_id != MaracReferral.objects.get().perpetrator_id


def test_a_reviewer_cannot_merge_them(referral):
    victim, perpetrator = referral
    reviewer = factories.user_create(role="intelligence_researcher")
    with pytest.raises(ValidationError, match="victim and the other as the perpetrator"):
        services.persons_merge(person=victim.person, other=perpetrator.person, by=reviewer, reason=REASON)
    assert services.kept_apart_pairs() == [(victim.pk, perpetrator.pk)]
