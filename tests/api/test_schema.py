"""The OpenAPI schema is generated without a warning, so every endpoint and choice set is described as
it is (an integrator reads names like TaskKindEnum, not KindA90Enum)."""

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_the_openapi_schema_has_no_warnings_and_names_every_choice_set(tmp_path):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    schemas = yaml.safe_load(path.read_text())["components"]["schemas"]
    assert {"TaskKindEnum", "CaseStatusEnum", "OrderKindEnum", "CourtOutcomeEnum"} <= set(schemas)
    assert not [name for name in schemas if name.endswith("Enum") and any(c.isdigit() for c in name)]
