"""The SafeLives MARAC data return: each figure on small hand-made data, then the page, its CSV download (audited
as an export), the command, and who may see it."""

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests import factories
from vigil.audit.models import AuditEvent
from vigil.marac import data_return as rules
from vigil.marac.data_return import ReturnReferral, data_return
from vigil.marac.models import MaracReferral
from vigil.people.models import PersonRecord

START, END = date(2026, 4, 1), date(2026, 6, 30)  # a quarter
_ids = iter(range(1, 10_000))


def referral(victim="v1", *, heard_on=date(2026, 5, 5), received_on=None, area="north", kind="force", **fields):
    received_on = received_on or (heard_on.replace(day=1) if heard_on else date(2026, 5, 1))
    return ReturnReferral(id=next(_ids), area=area, victim_key=victim, received_on=received_on, heard_on=heard_on,
                          agency_kind=kind, **fields)


def run(referrals, *, area="north", women=None, start=START, end=END):
    return data_return(referrals, start, end, area=area, area_name="North MARAC", women_aged_16_plus=women)


# --- the rules ---------------------------------------------------------------------------------------------

def test_a_case_counts_by_the_meeting_that_discussed_it_within_the_period_both_days_included():
    result = run([
        referral("first-day", heard_on=START, received_on=date(2026, 3, 20)),  # received before the period
        referral("last-day", heard_on=END),
        referral("before", heard_on=date(2026, 3, 31)),
        referral("after", heard_on=date(2026, 7, 1), received_on=date(2026, 6, 20)),  # received in the period
        referral("waiting", heard_on=None, received_on=date(2026, 5, 1)),  # not heard yet
    ])
    assert result.cases == 2


def test_referrals_for_one_victim_heard_together_are_one_case_and_other_marac_areas_are_left_out():
    result = run([referral("v1"), referral("v1"), referral("v1", heard_on=date(2026, 6, 2)),
                  referral("v2", area="south")])
    assert result.cases == 2  # v1 at two meetings; v2 was discussed at another MARAC
    assert run([referral("v1"), referral("v2", area="south")], area=None).cases == 2  # every MARAC


def test_a_repeat_is_a_case_whose_victim_was_referred_in_the_12_months_before_and_the_rate_is_of_the_cases():
    history = [referral("repeat", heard_on=date(2025, 9, 2), received_on=date(2025, 8, 20)),
               referral("too-old", heard_on=date(2025, 3, 4), received_on=date(2025, 3, 1))]
    now = [referral("repeat", received_on=date(2026, 5, 1)), referral("too-old", received_on=date(2026, 5, 1)),
           referral("new"), referral("new2")]
    result = run(history + now)
    assert (result.cases, result.repeat_cases) == (4, 1)
    assert result.repeat_rate.value == pytest.approx(0.25)


def test_children_are_summed_over_the_cases_and_referrals_heard_together_describe_one_household():
    result = run([referral("v1", children=2), referral("v1", children=3), referral("v2", children=1),
                  referral("v3")])
    assert result.children == 3 + 1


@pytest.mark.parametrize(("kind", "group"), [
    ("force", "police"), ("idva", "idva"), ("health", "health"), ("childrens_services", "childrens_services"),
    ("housing", "housing"), ("probation", "probation"), ("education", "other"), ("something_new", "other")])
def test_each_kind_of_referring_agency_is_counted_in_its_safelives_group(kind, group):
    result = run([referral("v1", kind=kind), referral("v2", kind="force")])
    expected = 2 if group == "police" else 1
    assert result.agency(group).count == expected
    assert sum(a.count for a in result.referrals_by_agency) == 2
    assert [a.code for a in result.referrals_by_agency] == [code for code, _ in rules.AGENCY_GROUPS]


def test_the_case_is_counted_for_the_agency_that_referred_first():
    result = run([referral("v1", kind="health", received_on=date(2026, 4, 20)),
                  referral("v1", kind="force", received_on=date(2026, 4, 28))])
    assert (result.agency("health").count, result.agency("police").count) == (1, 0)


@pytest.mark.parametrize(("ethnicity", "expected"), [
    ("Asian or Asian British: Indian", True), ("Black or Black British", True), ("Mixed or multiple", True),
    ("White: British", False), ("White: other", False), ("", None), ("Not stated", None),
    # the self-defined ethnicity codes of an imported history (18+1, 16+1)
    ("W1", False), ("w2", False), ("W3", False), ("W9", False), ("A1", True), ("B2", True), ("M3", True),
    ("O2", True), ("NS", None), ("X7", None), ("Z", None)])
def test_black_asian_and_minority_ethnic_is_any_recorded_ethnicity_not_a_white_group(ethnicity, expected):
    assert rules.is_minority_ethnic(ethnicity) is expected


def test_each_equality_field_is_a_count_and_share_of_the_cases_with_the_not_known_counted_apart():
    result = run([
        referral("v1", victim_ethnicity="Black or Black British", victim_sex="M", victim_lgbt=True,
                 victim_disability=False, victim_date_of_birth=date(2009, 5, 1)),
        referral("v2", victim_ethnicity="White: British", victim_sex="F", victim_lgbt=False,
                 victim_disability=True, victim_date_of_birth=date(1990, 1, 1)),
        referral("v3"),  # nothing known about the victim
        referral("v4", victim_sex="F", victim_disability=True, victim_date_of_birth=date(1985, 1, 1)),
    ])
    counts = {e.code: (e.count, e.not_known) for e in result.equality}
    assert counts == {"bame": (1, 2), "lgbt": (1, 2), "disability": (2, 1), "male": (1, 1), "aged_16_17": (1, 1)}
    assert result.field("disability").share.value == pytest.approx(0.5)


def test_one_referral_saying_yes_or_no_beats_another_heard_with_it_that_does_not_say():
    result = run([referral("v1", victim_lgbt=None), referral("v1", victim_lgbt=True, victim_disability=False)])
    assert (result.field("lgbt").count, result.field("lgbt").not_known) == (1, 0)
    assert (result.field("disability").count, result.field("disability").not_known) == (0, 0)


@pytest.mark.parametrize(("born", "counted"), [
    (date(2010, 5, 1), True),  # 16 on the day of the referral
    (date(2010, 5, 2), False),  # 16 tomorrow: still 15
    (date(2008, 5, 2), True),  # 18 tomorrow: still 17
    (date(2008, 5, 1), False),  # 18 today
])
def test_aged_16_17_is_the_age_on_the_day_of_the_first_referral_by_birthday(born, counted):
    result = run([referral("v1", received_on=date(2026, 5, 1), victim_date_of_birth=born)])
    assert result.field("aged_16_17").count == (1 if counted else 0)


def test_volume_is_cases_a_year_per_10000_women_beside_the_recommended_40():
    quarter = [referral(f"v{n}") for n in range(10)]
    result = run(quarter, women=10_000)
    days = (END - START).days + 1
    assert result.cases_a_year_per_10k_women.value == pytest.approx(10 * 365 / days)
    assert result.recommended_cases_a_year_per_10k_women == 40
    assert run(quarter).cases_a_year_per_10k_women.value is None
    assert run([]).repeat_rate.reason == "no cases were discussed in the period"


def test_the_csv_has_the_documented_columns_and_one_row_per_marac():
    result = run([referral("v1", children=2, victim_sex="M"), referral("v2", kind="housing")], women=5000)
    rows = list(csv.reader(io.StringIO(rules.csv_text([result]))))
    assert rows[0] == list(rules.CSV_COLUMNS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["marac_code"] == "north" and row["period_from"] == "2026-04-01" and row["period_to"] == "2026-06-30"
    assert (row["cases_discussed"], row["children"], row["referrals_police"], row["referrals_housing"]) == \
        ("2", "2", "1", "1")
    assert (row["male"], row["male_percent"], row["male_not_known"]) == ("1", "50.0", "1")
    assert row["recommended_cases_a_year_per_10k_women"] == "40"


# --- from the database ---------------------------------------------------------------------------------------

@pytest.fixture
def quarter_world(db):
    """One MARAC with two meetings held in the quarter: a repeat male victim aged 17 with two children, referred
    by the police, and a woman referred by housing, LGBT+ not known, with a disability."""
    marac = factories.marac_area_create(code="north")
    marac.women_aged_16_plus = 20_000
    marac.save()
    chair = factories.user_create(role="marac_coordinator")
    housing = factories.agency_create(code="housing", kind="housing", name="Housing")
    police_referrer = factories.user_create(role="marac_coordinator")
    housing_referrer = factories.user_create(role="partner_practitioner", agency=housing)
    april = factories.marac_meeting_create(area=marac, held_on=date(2026, 4, 14), status="held", chair=chair)
    may = factories.marac_meeting_create(area=marac, held_on=date(2026, 5, 12), status="held", chair=chair)
    earlier = factories.marac_meeting_create(area=marac, held_on=date(2025, 11, 4), status="held", chair=chair)

    him = factories.person_record_create(given_name="Jo", family_name="Sample", dob=date(2009, 1, 2), sex="M")
    PersonRecord.objects.filter(pk=him.pk).update(ethnicity="Asian or Asian British: Indian")
    her = factories.person_record_create(given_name="Ann", family_name="Sample", dob=date(1980, 1, 1), sex="F")
    PersonRecord.objects.filter(pk=her.pk).update(ethnicity="White: British")
    factories.marac_referral_create(area=marac, victim=him.person, by=police_referrer, received_on=date(2025, 10, 20),
                                    meeting=earlier, status="heard")
    repeat = factories.marac_referral_create(area=marac, victim=him.person, by=police_referrer,
                                             received_on=date(2026, 4, 1), meeting=april, status="heard")
    MaracReferral.objects.filter(pk=repeat.pk).update(children=["Girl, 2", "Boy, 1"], victim_lgbt=False)
    second = factories.marac_referral_create(area=marac, victim=her.person, by=housing_referrer,
                                             received_on=date(2026, 5, 1), meeting=may, status="heard")
    MaracReferral.objects.filter(pk=second.pk).update(victim_disability=True)
    return {"marac": marac, "coordinator": chair}


def test_the_return_reads_the_victims_records_and_the_referrals_of_the_meetings_held(quarter_world):
    from vigil.marac.return_selectors import data_return_for

    result = data_return_for(area=quarter_world["marac"], start=START, end=END).total
    assert (result.cases, result.repeat_cases, result.children) == (2, 1, 2)
    assert (result.agency("police").count, result.agency("housing").count) == (1, 1)
    assert {e.code: e.count for e in result.equality} == {"bame": 1, "lgbt": 0, "disability": 1, "male": 1,
                                                          "aged_16_17": 1}
    assert (result.field("lgbt").not_known, result.field("disability").not_known) == (1, 1)
    assert result.cases_a_year_per_10k_women.value == pytest.approx(2 * 10_000 * 365 / (20_000 * 91))


def test_the_page_shows_the_return_and_its_csv_download_is_audited_as_an_export(client, quarter_world):
    client.force_login(quarter_world["coordinator"])
    query = {"area": "north", "start": "2026-04-01", "end": "2026-06-30"}
    page = client.get(reverse("marac:data-return"), query)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cases discussed" in text and "Victims aged 16 or 17" in text and "Download the return as CSV" in text
    assert "Sample" not in text  # no one is named
    assert not AuditEvent.objects.filter(object_type="marac.DataReturn").exists()

    download = client.get(reverse("marac:data-return-csv"), query)
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert "north-20260401-20260630.csv" in download["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [(r["marac_code"], r["cases_discussed"], r["repeat_cases"], r["bame"]) for r in rows] == [
        ("north", "2", "1", "1")]
    event = AuditEvent.objects.get(object_type="marac.DataReturn")
    assert (event.action, event.actor, event.subject_person_id) == ("export", quarter_world["coordinator"], None)
    assert event.detail["format"] == "csv" and event.detail["cases"] == 2


def test_every_marac_gives_one_row_each_and_the_total(client, quarter_world):
    factories.marac_area_create(code="south")
    client.force_login(factories.user_create(role="analyst"))
    download = client.get(reverse("marac:data-return-csv"), {"start": "2026-04-01", "end": "2026-06-30"})
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert sorted((r["marac_code"], r["cases_discussed"]) for r in rows[:-1]) == [("north", "2"), ("south", "0")]
    assert (rows[-1]["marac_code"], rows[-1]["cases_discussed"]) == ("all", "2")
    assert rows[-1]["women_aged_16_plus"] == ""  # the south MARAC's population is not known


def test_a_period_ending_before_it_starts_is_refused_with_the_error_and_nothing_is_exported(client, quarter_world):
    client.force_login(quarter_world["coordinator"])
    response = client.get(reverse("marac:data-return-csv"), {"start": "2026-06-30", "end": "2026-04-01"})
    assert response.status_code == 400
    assert "The period must end on or after the day it starts" in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="marac.DataReturn").exists()


@pytest.mark.parametrize("role", ["partner_practitioner", "specialist_investigator", "response_officer", "auditor"])
def test_partners_and_other_roles_may_not_see_or_download_the_return(client, db, role):
    agency = factories.agency_create(code="idva", kind="idva") if role == "partner_practitioner" else None
    client.force_login(factories.user_create(role=role, agency=agency))
    assert client.get(reverse("marac:data-return")).status_code == 403
    assert client.get(reverse("marac:data-return-csv")).status_code == 403
    assert not AuditEvent.objects.filter(object_type="marac.DataReturn").exists()


def test_the_command_prints_the_return_as_json_and_is_audited_as_an_export(quarter_world):
    out = io.StringIO()
    call_command("marac_return", "--from", "2026-04-01", "--to", "2026-06-30", "--area", "north", "--format", "json",
                 stdout=out)
    [row] = json.loads(out.getvalue())
    assert (row["cases_discussed"], row["repeat_rate_percent"], row["aged_16_17"]) == (2, 50.0, 1)
    event = AuditEvent.objects.get(object_type="marac.DataReturn")
    assert (event.actor, event.detail["via"]) == (None, "vigil marac_return")


def test_the_command_writes_the_csv_to_a_file_only_its_owner_may_read(quarter_world, tmp_path):
    target = tmp_path / "return.csv"
    target.write_text("an older return")
    target.chmod(0o644)

    call_command("marac_return", "--from", "2026-04-01", "--to", "2026-06-30", "--area", "north",
                 "--output", str(target), stdout=io.StringIO())

    assert target.read_text().startswith("marac_code,") and target.stat().st_mode & 0o777 == 0o600


def test_the_referral_form_records_lgbt_and_disability_as_yes_no_or_not_known():
    from vigil.marac.forms import ReferralForm

    form = ReferralForm({"victim_lgbt": "not_known", "victim_disability": "yes"})
    form.is_valid()
    assert (form.cleaned_data["victim_lgbt"], form.cleaned_data["victim_disability"]) == (None, True)


def test_a_referral_keeps_the_equality_answers(db):
    from vigil.marac import services

    marac = factories.marac_area_create()
    referrer = factories.user_create(role="marac_coordinator")
    victim = factories.person_record_create().person
    made = services.referral_create(area=marac, victim=victim, by=referrer, received_on=date(2026, 1, 5),
                                    criteria=["professional_judgement"],
                                    judgement_reason="Escalating threats and control reported by the victim",
                                    victim_aware=True, victim_consents=True, victim_lgbt=True, victim_disability=None,
                                    now=datetime(2026, 1, 5, 12, tzinfo=UTC))
    made.refresh_from_db()
    assert (made.victim_lgbt, made.victim_disability) == (True, None)


def test_the_return_is_in_the_navigation_of_the_coordinator_and_analysts_only(client, db):
    link = f'href="{reverse("marac:data-return")}"'
    for role in ("marac_coordinator", "analyst"):
        client.force_login(factories.user_create(role=role))
        assert link in client.get(reverse("accounts:home")).content.decode(), role
    client.force_login(factories.user_create(role="specialist_investigator"))
    assert link not in client.get(reverse("accounts:home")).content.decode()
