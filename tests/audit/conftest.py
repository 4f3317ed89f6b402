import pytest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from tests.factories import user_create


@pytest.fixture
def user_with_role(db):
    """Build a signed-in-able user holding one role, in the force agency unless told otherwise."""
    return user_create


@pytest.fixture
def auditor(user_with_role):
    return user_with_role(role="auditor")


@pytest.fixture
def officer(user_with_role):
    return user_with_role(role="response_officer")


@pytest.fixture
def page_layout(settings, tmp_path):
    """Pages extend the shared base.html. Until it exists, stand in a bare one so the audit pages render;
    tests assert on the audit content, never on the layout."""
    try:
        get_template("base.html")
    except TemplateDoesNotExist:
        (tmp_path / "base.html").write_text(
            "<!DOCTYPE html><html lang='en'><head><title>{% block title %}{% endblock %}</title></head>"
            "<body><main id='main-content'>{% block content %}{% endblock %}</main></body></html>")
        settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
