"""Building import files and running imports in tests (synthetic data only)."""

import csv
import io
import json
from datetime import UTC, datetime

from vigil.imports import schema
from vigil.imports.services import import_create, import_link, import_run

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def csv_bytes(kind: str, rows: list[dict], *, columns=None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or schema.KINDS[kind].columns, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def jsonl_bytes(rows: list[dict]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode()


def run_import(kind: str, content: bytes, *, name: str = "file.csv", system: str = "rms", by=None,
               dry_run: bool = False, link: bool = False):
    run = import_create(kind=kind, source_system=system, file=io.BytesIO(content), file_name=name, by=by,
                        dry_run=dry_run, link_after=link, now=NOW)
    run = import_run(run=run, now=NOW)
    if link:
        run = import_link(run=run)
    return run


def person(n: int, **overrides) -> dict:
    row = {"person_id": f"NOM-{n:04d}", "given_name": f"Given{n}", "family_name": f"Example{n}",
           "date_of_birth": f"19{70 + n % 20}-0{1 + n % 9}-1{n % 9}", "sex": "F" if n % 2 else "M",
           "ethnicity": "W1", "recorded_at": "2012-10-01T21:14:00+01:00"}
    row.update(overrides)
    return row


def incident(n: int, **overrides) -> dict:
    row = {"incident_id": f"INC-{n:05d}", "received_at": f"2012-10-{1 + n % 28:02d}T21:10:00+01:00",
           "channel": "999", "response_grade": "1", "is_domestic_abuse": "true"}
    row.update(overrides)
    return row


def risk_assessment(n: int, **overrides) -> dict:
    row = {"assessment_id": f"RA-{n:05d}", "incident_id": f"INC-{n:05d}", "victim_person_id": "NOM-0001",
           "grade": "high", "yes_count": "15", "completed_at": "2012-10-01T23:40:00+01:00"}
    row.update(overrides)
    return row


def order(n: int, **overrides) -> dict:
    row = {"order_id": f"ORD-{n:05d}", "kind": "dvpo", "restricted_person_id": "NOM-0002",
           "victim_person_id": "NOM-0001", "incident_id": "INC-00001", "starts_at": "2012-10-03T10:00:00+01:00",
           "ends_on": "2012-10-30", "status": "ended", "conditions": "Not to contact the victim;Not to enter the street"}
    row.update(overrides)
    return row


def marac_referral(n: int, **overrides) -> dict:
    row = {"referral_id": f"MAR-{n:05d}", "area_code": "city-marac", "victim_person_id": "NOM-0001",
           "perpetrator_person_id": "NOM-0002", "referring_agency": "force", "received_on": "2012-10-04",
           "criteria": "visible_high_risk", "heard_on": "2012-10-18", "victim_aware": "true",
           "victim_consents": "true"}
    row.update(overrides)
    return row
