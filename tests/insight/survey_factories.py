"""Factories for the victim survey tests: a case whose victim has a safe number."""

from datetime import timedelta

from django.utils import timezone

from tests import factories
from vigil.accounts.models import Team
from vigil.people.models import SafeContact


def surveyable_case(*, risk_level: str = "standard", closed_days_ago: int | None = 10, safe_number: bool = True,
                    restricted: bool = False, given_name: str = "Sam", area=None):
    now = timezone.now()
    record = factories.person_record_create(given_name=given_name, family_name="Survey")
    if restricted:
        record.person.restricted = True
        record.person.save(update_fields=["restricted"])
    if safe_number:
        SafeContact.objects.create(person=record.person, phone=factories.phone_create(number="07700 900456"),
                                   updated_at=now)
    incident = factories.incident_create(victim=record, received_at=now - timedelta(days=60),
                                         area=area or factories.area_create())
    team = factories.team_create(kind=Team.Kind.NEIGHBOURHOOD)
    owner = factories.user_create(role="neighbourhood_officer", teams=[team])
    return factories.case_create(victim=record, incident=incident, risk_level=risk_level, owner=owner,
                                 owning_team=team,
                                 closed_at=now - timedelta(days=closed_days_ago) if closed_days_ago is not None else None)


def complete_answers(value: str = "very_satisfied", **overrides) -> dict[str, str]:
    from vigil.insight import surveys as rules

    answers = {}
    for stage in rules.QUESTIONNAIRE_1.stages:
        for q in stage.questions:
            if q.scale == "satisfaction":
                answers[rules.answer_key(stage.code, q.code)] = value
            elif q.scale == "yes_no":
                answers[rules.answer_key(stage.code, q.code)] = "yes"
    answers.update(overrides)
    return answers
