import os

import pytest

# Each test run keeps its generated secret key and files away from the developer's var/.
os.environ.setdefault("VIGIL_VAR_DIR", os.path.join(os.path.dirname(__file__), "..", "var", "test"))


@pytest.fixture
def make_user(db):
    from tests.factories import user_create

    return user_create


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """SQLite's test database in a file rather than in memory.

    Django shares an in-memory test database between the live server's threads through SQLite's
    shared cache, whose table locks fail at once instead of waiting for the busy timeout: a browser
    journey's autosave and an address look-up sent together could then fail with "database table is
    locked". A file (in shared memory where the machine has it) waits and uses WAL, as Vigil does.
    """
    import tempfile

    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        folder = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
        database.setdefault("TEST", {})["NAME"] = os.path.join(folder, f"vigil-test-{os.getpid()}.sqlite3")


@pytest.fixture(autouse=True)
def _surname_counts_forgotten():
    """The online match keeps surname counts for a few minutes; each test starts from its own data."""
    from vigil.linkage.candidates import clear_surname_counts

    clear_surname_counts()


@pytest.fixture(scope="session")
def pdf_renderer():
    """PDF documents need the Pango library (Chromium's package brings it). Like the browser journeys,
    tests that make PDFs are skipped with a message on a machine without it, and fail in CI."""
    from vigil.pdf import PdfUnavailable, render_pdf

    try:
        render_pdf('<html lang="en-GB"><head><title>check</title></head><body><p>check</p></body></html>')
    except PdfUnavailable as error:
        if os.environ.get("VIGIL_REQUIRE_BROWSER"):
            pytest.fail(str(error))
        pytest.skip(str(error))
    return render_pdf


# Seeds whose force year is also re-linked (`vigil relink`) after it is read, and read again: the
# performance pack's repeat-victim share counts resolved persons, so it is checked both ways.
RELINKED_SEEDS = frozenset({1})


@pytest.fixture(scope="session")
def force_year(django_db_setup, django_db_blocker):
    """`force_year(seed)`: the scale-1 demo force (leicestershire-2013) generated at most once per seed in a
    test session and rolled back at once, and what the slow tests read of it: "calibration" (the seed
    figures from the tables, demo.calibration), "pack" (`vigil report` JSON for the force year) and, for
    RELINKED_SEEDS, "pack_relinked" (the same after `vigil relink`)."""
    import json
    from io import StringIO

    from django.core.management import call_command

    from tests.demo.conftest import generated_then_rolled_back
    from vigil.demo.calibration import Period, seed_figures_measure
    from vigil.demo.profiles import profile_get

    profile = profile_get("leicestershire-2013")
    readings: dict[int, dict] = {}

    def report() -> dict:
        out = StringIO()
        call_command("report", "--from", "2012-09-01", "--to", "2013-08-31", "--format", "json", stdout=out)
        return json.loads(out.getvalue())

    def read(seed: int) -> dict:
        def measure() -> dict:
            measured = {"calibration": seed_figures_measure(Period.force_year(profile)), "pack": report()}
            if seed in RELINKED_SEEDS:
                from django.db import DatabaseError, transaction

                from vigil.linkage.relink import relink_run

                try:
                    with transaction.atomic():
                        relink_run()
                    measured["pack_relinked"] = report()
                except DatabaseError as error:  # kept for the test that needs it to report; the rest go on
                    measured["pack_relinked_error"] = f"vigil relink failed: {error!r}"
            return measured

        if seed not in readings:
            with django_db_blocker.unblock():
                readings[seed] = generated_then_rolled_back(profile, seed=seed, scale=1.0, read=measure)
        return readings[seed]

    return read
