import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_api_root_refuses_anonymous_callers(client):
    response = client.get("/api/v1/")
    assert response.status_code in (401, 403)


def test_api_root_names_its_version_and_schema(client, make_user):
    client.force_login(make_user(role="analyst"))
    body = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert body["api_version"] == "v1"
    assert body["schema"].endswith("/api/v1/schema/")


def test_openapi_schema_describes_the_api(client, make_user):
    client.force_login(make_user(role="analyst"))
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/" in schema["paths"]


def test_schema_is_not_public(client):
    assert client.get("/api/v1/schema/").status_code in (401, 403)
