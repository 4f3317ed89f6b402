"""Loading risk instruments as versioned definitions: the service, the command and the admin. A force loads
a different tool (here a synthetic structured-judgement instrument, not DARA) as a file, with no code."""

import json
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from tests.factories import user_create
from vigil.audit.models import AuditEvent
from vigil.risk import instruments, scoring
from vigil.risk.instrument_loading import (
    NoInstrumentLoaded,
    instrument_default,
    instrument_load,
    instrument_make_default,
    read_definition,
    shipped_definitions,
)
from vigil.risk.models import Instrument

TEST_INSTRUMENT = Path(__file__).parent / "data" / "structured-judgement-test.json"
NOW = datetime(2025, 3, 4, 10, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def shipped(code: str) -> dict:
    [path] = [p for p in shipped_definitions() if json.loads(p.read_text())["code"] == code]
    return read_definition(path)


def instrument_events():
    return AuditEvent.objects.filter(object_type="risk.Instrument").order_by("sequence")


@pytest.fixture
def as_migrated():
    """The database as the migrations leave it (the shipped instruments loaded), kept for this test."""


@pytest.fixture(autouse=True)
def start_empty(request):
    """A force before it loads anything, unless the test asks for the database `as_migrated`."""
    if "as_migrated" not in request.fixturenames:
        Instrument.objects.all().delete()


def test_the_migrations_load_the_shipped_files_so_loading_them_again_changes_nothing(as_migrated):
    loaded = [(i.code, i.version, i.is_default) for i in Instrument.objects.order_by("code")]
    assert loaded == [("dash-2009", "2009", True), ("safelives-ric", "2019", False)]
    assert instrument_default().code == "dash-2009"
    for code in ("dash-2009", "safelives-ric"):
        assert instrument_load(definition=shipped(code)) == Instrument.objects.get(code=code)
    assert "already loaded, unchanged" in run("--shipped")
    assert Instrument.objects.count() == 2 and not instrument_events().exists()


# The service ---------------------------------------------------------------------------------------------

def test_vigil_ships_dash_2009_and_the_safelives_checklist():
    assert [p.name for p in shipped_definitions()] == ["dash-2009.json", "safelives-ric.json"]


def test_loading_stores_the_definition_with_who_and_when_and_is_audited():
    admin = user_create(role="administrator")
    instrument = instrument_load(definition=shipped("dash-2009"), by=admin, now=NOW)

    instrument.refresh_from_db()
    assert (instrument.code, instrument.version, instrument.name) == (
        "dash-2009", "2009", "DASH risk identification checklist (police, 2009)")
    assert instrument.definition == shipped("dash-2009")
    assert (instrument.loaded_at, instrument.loaded_by, instrument.is_default) == (NOW, admin, False)
    [event] = instrument_events()
    assert (event.action, event.actor, event.object_id) == ("alteration", admin, "dash-2009:2009")
    assert event.detail == {"code": "dash-2009", "version": "2009", "loaded": True, "made_default": False}


def test_loading_the_identical_definition_again_changes_nothing():
    first = instrument_load(definition=shipped("dash-2009"), now=NOW)
    again = instrument_load(definition=shipped("dash-2009"), now=datetime(2026, 1, 1, tzinfo=UTC))
    assert again.pk == first.pk and Instrument.objects.count() == 1
    assert Instrument.objects.get().loaded_at == NOW
    assert instrument_events().count() == 1


def test_a_loaded_version_never_changes_a_changed_definition_needs_a_new_version():
    definition = shipped("dash-2009")
    instrument_load(definition=definition)
    changed = json.loads(json.dumps(definition))
    changed["sections"][0]["questions"][1]["why"] = "Something else."

    with pytest.raises(ValidationError) as refused:
        instrument_load(definition=changed)
    message = " ".join(refused.value.messages)
    assert 'Version "2009" of "dash-2009" is already loaded with a different definition' in message
    assert "new \"version\"" in message
    assert Instrument.objects.get().definition == definition

    changed["version"] = "2009-local-1"
    assert instrument_load(definition=changed).version == "2009-local-1"
    assert Instrument.objects.filter(code="dash-2009").count() == 2


def test_an_invalid_definition_is_refused_with_what_is_wrong():
    definition = shipped("dash-2009")
    del definition["sections"][2]["questions"][5]["why"]
    with pytest.raises(ValidationError) as refused:
        instrument_load(definition=definition)
    assert refused.value.messages == [
        'This is not a usable instrument definition: section 3 question 6 needs "why" ("why" is the guidance '
        "the officer opens)."]
    assert not Instrument.objects.exists() and not instrument_events().exists()


@pytest.mark.parametrize("definition", [
    {"code": "x", "version": "1", "name": "X", "sections": 5},
    {"code": "x", "version": "1", "name": "X", "sections": [{"id": "a", "title": "A", "questions": [
        {"id": "q", "text": "Q?", "why": "W."}]}], "grading": {"rules": ["high"]}},
])
def test_a_definition_of_the_wrong_shape_is_refused_not_a_crash(definition):
    with pytest.raises(ValidationError, match="wrong shape"):
        instrument_load(definition=definition)


def test_an_over_long_version_is_a_clear_error():
    definition = shipped("dash-2009") | {"version": "v" * 21}
    with pytest.raises(ValidationError, match='"version" is longer than 20 characters'):
        instrument_load(definition=definition)


def test_switching_the_default_keeps_exactly_one_and_each_switch_is_audited():
    admin = user_create(role="administrator")
    dash = instrument_load(definition=shipped("dash-2009"), by=admin, make_default=True)
    ric = instrument_load(definition=shipped("safelives-ric"), by=admin, make_default=True)

    assert list(Instrument.objects.filter(is_default=True)) == [ric]
    assert instrument_default() == ric
    assert instrument_events().last().detail == {"code": "safelives-ric", "version": "2019", "loaded": True,
                                                 "made_default": True, "previous_default": "dash-2009:2009"}

    instrument_make_default(instrument=dash, by=admin)
    assert list(Instrument.objects.filter(is_default=True)) == [dash] and instrument_default() == dash
    events = instrument_events().count()
    instrument_make_default(instrument=dash, by=admin)  # already the default: nothing happens
    instrument_load(definition=shipped("dash-2009"), make_default=True)
    assert instrument_events().count() == events
    assert Instrument.objects.filter(is_default=True).count() == 1


def test_without_a_chosen_default_the_latest_dash_2009_is_used():
    with pytest.raises(NoInstrumentLoaded, match="No risk instrument is loaded"):
        instrument_default()
    instrument_load(definition=shipped("safelives-ric"))
    with pytest.raises(NoInstrumentLoaded, match="choose a default"):
        instrument_default()
    instrument_load(definition=shipped("dash-2009"), now=NOW)
    local = shipped("dash-2009") | {"version": "2009-local"}
    latest = instrument_load(definition=local, now=datetime(2025, 6, 1, tzinfo=UTC))
    assert instrument_default() == latest


# A different tool, loaded as a file -------------------------------------------------------------------

def test_a_force_loads_a_structured_judgement_instrument_with_no_code_change():
    instrument = instrument_load(definition=read_definition(TEST_INSTRUMENT), make_default=True)
    definition = instrument.definition
    assert instrument_default() == instrument
    assert instrument.name == "Structured judgement test instrument (not DARA)"
    assert [s.title for s in instruments.sections(definition)] == [
        "Coercive control", "Stalking and harassment", "Physical harm", "Context", "Stalking follow-up"]
    assert len([q for s in instruments.sections(definition) if not s.follow_up for q in s.questions]) == 12
    assert "stalking-detail" not in [s.id for s in instruments.sections_shown(definition, {"st1": "no"})]
    assert "stalking-detail" in [s.id for s in instruments.sections_shown(definition, {"st1": "yes"})]

    def grade(*yes, **others):
        return scoring.indicated_grade(definition, {q: "yes" for q in yes} | others)

    assert grade() == ""
    assert grade("ph2") == "high"  # strangulation, whatever else
    assert grade("ph3") == "high"  # believed threats to kill
    assert grade("cc1", "cc4", "st1") == ""  # weighted 6: professional judgement
    assert grade("cc1", "cc4", "st1", "st2") == "medium"  # weighted 8
    assert grade("cc1", "cc4", "st1", "st2", "ph1", "cx1", "cx2") == "high"  # weighted 14
    assert grade("cc1", "cc4", "st1", ph2="not_known", ph3="no") == ""  # not known is not yes
    assert scoring.grade_floor(definition, {q: "yes" for q in instruments.questions(definition)}) == ""  # no floor


# The command ----------------------------------------------------------------------------------------------

def run(*args) -> str:
    out = StringIO()
    call_command("load_instrument", *args, stdout=out)
    return out.getvalue()


def test_the_command_loads_the_shipped_definitions_with_dash_the_default():
    output = run("--shipped")
    assert "DASH risk identification checklist (police, 2009), version 2009 (dash-2009): loaded, the force's " \
           "default" in output
    assert "SafeLives Dash risk checklist (for partner agencies), version 2019 (safelives-ric): loaded" in output
    assert instrument_default().code == "dash-2009"
    assert "already loaded, unchanged" in run("--shipped") and Instrument.objects.count() == 2


def test_the_shipped_load_keeps_a_default_the_force_has_chosen():
    chosen = instrument_load(definition=read_definition(TEST_INSTRUMENT), make_default=True)
    run("--shipped")
    assert instrument_default() == chosen and Instrument.objects.count() == 3


def test_the_command_loads_a_force_s_own_file_as_the_default():
    run("--shipped")
    output = run(str(TEST_INSTRUMENT), "--default")
    assert "structured-judgement-test): loaded, the force's default" in output
    assert instrument_default().code == "structured-judgement-test"


@pytest.mark.parametrize(("args", "message"), [
    ((), "Give the definition FILE to load, or --shipped."),
    (("x.json", "--shipped"), "Give either a FILE"),
    (("/no/such/instrument.json",), "There is no file /no/such/instrument.json."),
])
def test_the_command_says_what_is_missing(args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        run(*args)


def test_the_command_points_at_invalid_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "code": "broken",\n  "version": "1"\n  "name": "Broken"\n}\n')
    with pytest.raises(CommandError) as refused:
        run(str(path))
    assert str(refused.value) == f"{path} is not valid JSON: Expecting ',' delimiter at line 4, column 3."


def test_the_command_says_why_a_definition_is_unusable(tmp_path):
    definition = read_definition(TEST_INSTRUMENT)
    definition["grading"]["rules"][0]["any_yes"] = ["strangled"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(definition))
    with pytest.raises(CommandError, match='grading rule 1: "any_yes" names unknown questions'):
        run(str(path))
    assert not Instrument.objects.exists()


def test_the_command_refuses_to_change_a_loaded_version(tmp_path):
    run(str(TEST_INSTRUMENT))
    definition = read_definition(TEST_INSTRUMENT)
    definition["scoring"]["weights"]["ph1"] = 3
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(definition))
    with pytest.raises(CommandError, match="already loaded with a different definition"):
        run(str(path))


# The admin -----------------------------------------------------------------------------------------------

@pytest.fixture
def administrator(client):
    """An administrator signed in."""
    user = user_create(role="administrator")
    client.force_login(user)
    return user


def upload(client, path_or_bytes, *, make_default=False, name="instrument.json"):
    content = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    data = {"definition_file": SimpleUploadedFile(name, content, content_type="application/json")}
    if make_default:
        data["make_default"] = "on"
    return client.post(reverse("admin:risk_instrument_add"), data)


def test_an_administrator_adds_an_instrument_by_uploading_its_file(client, administrator):
    page = client.get(reverse("admin:risk_instrument_add"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html and "<textarea" not in html

    response = upload(client, TEST_INSTRUMENT, make_default=True)

    assert response.status_code == 302, response.content.decode()[:3000]
    instrument = Instrument.objects.get()
    assert (instrument.code, instrument.loaded_by, instrument.is_default) == (
        "structured-judgement-test", administrator, True)
    assert instrument_events().get().actor == administrator


@pytest.mark.parametrize(("content", "message"), [
    (b'{"code": "x",}', "The file is not valid JSON: Expecting property name enclosed in double quotes at line 1"),
    (b'{"code": "x"}', "This is not a usable instrument definition: the definition needs a &quot;version&quot;"),
    (b"\xff\xfe", "The file is not UTF-8 text."),
])
def test_an_unusable_upload_is_refused_with_the_reason(client, administrator, content, message):
    response = upload(client, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Instrument.objects.exists()


def test_uploading_a_changed_definition_under_a_loaded_version_is_refused(client, administrator):
    instrument_load(definition=read_definition(TEST_INSTRUMENT))
    definition = read_definition(TEST_INSTRUMENT)
    definition["name"] = "Renamed"
    response = upload(client, json.dumps(definition).encode())
    assert "already loaded with a different definition" in response.content.decode()
    assert "already loaded" in upload(client, TEST_INSTRUMENT).content.decode()
    assert Instrument.objects.get().name == "Structured judgement test instrument (not DARA)"


def test_the_list_and_the_read_only_definition(client, administrator):
    dash = instrument_load(definition=shipped("dash-2009"), make_default=True)
    listing = client.get(reverse("admin:risk_instrument_changelist")).content.decode()
    assert "DASH risk identification checklist (police, 2009)" in listing and "dash-2009" in listing

    page = client.get(reverse("admin:risk_instrument_change", args=[dash.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "<pre" in html
    assert "strangle, choke, suffocate or drown" in html
    assert 'name="_save"' not in html and "<textarea" not in html

    client.post(reverse("admin:risk_instrument_change", args=[dash.pk]), {"name": "Edited"})
    dash.refresh_from_db()
    assert dash.name == "DASH risk identification checklist (police, 2009)"


def test_a_loaded_instrument_cannot_be_deleted(client, administrator):
    dash = instrument_load(definition=shipped("dash-2009"))
    assert client.get(reverse("admin:risk_instrument_delete", args=[dash.pk])).status_code == 403
    assert client.post(reverse("admin:risk_instrument_changelist"), {
        "action": "delete_selected", "_selected_action": [dash.pk]}).status_code in (200, 302)
    assert Instrument.objects.filter(pk=dash.pk).exists()


def test_an_administrator_makes_another_instrument_the_default(client, administrator):
    instrument_load(definition=shipped("dash-2009"), make_default=True)
    ric = instrument_load(definition=shipped("safelives-ric"))
    response = client.post(reverse("admin:risk_instrument_changelist"), {
        "action": "make_default", "_selected_action": [ric.pk], "index": 0})
    assert response.status_code == 302
    assert list(Instrument.objects.filter(is_default=True)) == [ric]
    assert instrument_events().last().actor == administrator


def test_making_two_instruments_the_default_is_refused(client, administrator):
    dash = instrument_load(definition=shipped("dash-2009"), make_default=True)
    ric = instrument_load(definition=shipped("safelives-ric"))
    client.post(reverse("admin:risk_instrument_changelist"), {
        "action": "make_default", "_selected_action": [dash.pk, ric.pk], "index": 0})
    assert list(Instrument.objects.filter(is_default=True)) == [dash]


def test_an_officer_cannot_load_instruments(client):
    client.force_login(user_create(role="response_officer"))
    assert client.get(reverse("admin:risk_instrument_add")).status_code == 403
