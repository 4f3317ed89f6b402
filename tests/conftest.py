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

