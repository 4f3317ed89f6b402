import pytest


@pytest.fixture(autouse=True)
def _imports_dir(settings, tmp_path):
    """Uploaded files go to a temporary folder, never the working tree."""
    settings.VIGIL_IMPORTS_DIR = tmp_path / "imports"
