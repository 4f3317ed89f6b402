"""`vigil report`: the performance pack on the command line, in every format, audited."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from vigil.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ARGS = ["--from", "2013-01-01", "--to", "2013-12-31"]
REQUIRED_NUMBERS = ("da_share_of_calls_pct", "repeat_victim_share_of_da_calls_pct", "da_share_of_crime_pct",
                    "da_crimes", "arrests_per_100_da_crimes", "outcome_charge_pct", "outcome_caution_pct",
                    "outcome_ooc_disposal_pct")


@pytest.fixture
def data():
    city = factories.area_create(code="city", name="City")
    incident = factories.incident_create(area=city, received_at=datetime(2013, 3, 1, tzinfo=UTC),
                                         victim=factories.person_record_create())
    factories.crime_create(incident=incident, recorded_at=datetime(2013, 3, 1, 1, tzinfo=UTC))
    factories.incident_create(domestic_abuse=False, received_at=datetime(2013, 3, 2, tzinfo=UTC))
    return city


def report(*args) -> str:
    out = io.StringIO()
    call_command("report", *ARGS, *args, stdout=out)
    return out.getvalue()


def test_json_holds_the_required_keys_as_numbers_and_the_run_is_audited(data):
    pack = json.loads(report("--format", "json"))
    for key in REQUIRED_NUMBERS:
        assert isinstance(pack[key], int | float) and not isinstance(pack[key], bool), key
    for group in ("assault_with_intent", "assault_with_injury", "harassment", "sexual_offences"):
        assert set(pack[group]) == {"recorded", "da_related", "da_share_pct"}
    assert set(pack["active_cases"]) >= {"total", "high_pct", "medium_pct", "standard_pct"}
    assert (pack["da_calls"], pack["da_share_of_calls_pct"], pack["da_crimes"]) == (1, 50.0, 1)
    event = AuditEvent.objects.get(object_type="insight.PerformancePack")
    assert (event.action, event.actor, event.detail["via"], event.detail["format"]) == \
        ("export", None, "vigil report", "json")


def test_an_area_by_its_code(data):
    pack = json.loads(report("--area", "city"))
    assert pack["period"]["area"] == {"code": "city", "name": "City"}
    assert pack["calls_for_assistance"] == 1
    with pytest.raises(CommandError, match="no area with the code 'nowhere' \\(areas: city\\)"):
        report("--area", "nowhere")


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2013-13-01", "--to", "2013-12-31"], "is not a date"),
    (["--from", "2013-12-31", "--to", "2013-01-01"], "--to must be the same day"),
])
def test_bad_periods(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", *args, stdout=io.StringIO())


def test_csv_and_html(data):
    rows = list(csv.DictReader(io.StringIO(report("--format", "csv"))))
    assert {"da_share_of_calls_pct", "active_cases.total", "marac.repeat_rate_pct"} <= {r["key"] for r in rows}
    html = report("--format", "html")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in html
    assert html.count('role="img"') == 3 and "How each figure is worked out" in html


def test_pdf_to_a_file(data, tmp_path):
    from vigil.pdf import PdfUnavailable, render_pdf

    try:
        render_pdf("<!DOCTYPE html><html lang='en'><title>t</title><p>t</p></html>")
    except PdfUnavailable as error:
        pytest.skip(str(error))
    target = tmp_path / "pack.pdf"
    report("--format", "pdf", "--output", str(target))
    assert target.read_bytes().startswith(b"%PDF") and target.stat().st_mode & 0o777 == 0o600
