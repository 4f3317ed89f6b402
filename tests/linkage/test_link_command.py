"""`vigil link`: the standalone command on any persons CSV."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.linkage.test_matching import synthetic_rows
from vigil.linkage import matching

COLUMNS = [
    "record_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "postcode",
    "address",
    "phone",
    "identifier",
]


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def run_link(*args: str) -> subprocess.CompletedProcess:
    """The command as a user runs it, so exit codes and stderr are real."""
    return subprocess.run(
        [sys.executable, "-m", "vigil.cli", "link", *args], capture_output=True, text=True, timeout=120
    )


def test_links_a_file_and_saves_the_model(tmp_path, capsys):
    rows, truth = synthetic_rows()
    source = write_csv(tmp_path / "persons.csv", rows)
    output, model = tmp_path / "clusters.csv", tmp_path / "model.json"

    call_command(
        "link",
        "--input", str(source), "--output", str(output), "--model-out", str(model),
        "--max-pairs", "2e5", "--max-iterations", "10",
    )  # fmt: skip

    with output.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["record_id", "person_id"]
        result = {row["record_id"]: row["person_id"] for row in reader}
    assert sorted(result) == sorted(truth)  # every record once
    liz = {result[record_id] for record_id, person in truth.items() if person == 100}
    assert len(liz) == 1
    document = json.loads(model.read_text(encoding="utf-8"))
    assert document["model_version"] == matching.MODEL_VERSION
    assert document["splink_settings"]["comparisons"]
    progress = capsys.readouterr().err
    assert "estimating u" in progress and "persons from" in progress


def test_without_the_optional_identifier_column(tmp_path):
    rows, _truth = synthetic_rows()
    source = write_csv(tmp_path / "persons.csv", rows[:30], COLUMNS[:-1])
    output = tmp_path / "clusters.csv"
    call_command(
        "link", "--input", str(source), "--output", str(output), "--max-pairs", "1e5", "--max-iterations", "5"
    )
    with output.open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 30


@pytest.mark.parametrize(
    "content, message",
    [
        ("record_id,given_name,family_name\n1,Ann,Lee\n", "missing required column(s): date_of_birth"),
        (
            "record_id,given_name,family_name,date_of_birth,postcode,address,phone\n"
            "1,Ann,Lee,,,,\n1,Ann,Lee,,,,\n",
            "record_id is duplicated",
        ),
        ("record_id,given_name,family_name,date_of_birth,postcode,address,phone\n", "no records"),
    ],
    ids=["missing-columns", "duplicate-record-id", "empty"],
)
def test_bad_input_is_a_clear_error_with_exit_code_2(tmp_path, content, message):
    source = tmp_path / "persons.csv"
    source.write_text(content, encoding="utf-8")
    completed = run_link("--input", str(source), "--output", str(tmp_path / "out.csv"))
    assert completed.returncode == 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr


def test_unreadable_file_is_a_clear_error_with_exit_code_2(tmp_path):
    missing = run_link("--input", str(tmp_path / "nowhere.csv"), "--output", str(tmp_path / "out.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    assert "Traceback" not in missing.stderr

    binary = tmp_path / "persons.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x82 not text")
    garbled = run_link("--input", str(binary), "--output", str(tmp_path / "out.csv"))
    assert garbled.returncode == 2 and "not a readable UTF-8 CSV" in garbled.stderr
    assert "Traceback" not in garbled.stderr


def test_an_unknown_backend_from_the_environment_is_a_clear_error(tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    rows, _truth = synthetic_rows()
    source = write_csv(tmp_path / "persons.csv", rows[:5])
    monkeypatch.setenv("VIGIL_LINKAGE_BACKEND", "oracle")
    with pytest.raises(CommandError, match="unknown linkage backend 'oracle'") as caught:
        call_command("link", "--input", str(source), "--output", str(tmp_path / "out.csv"))
    assert caught.value.returncode == 2
    assert not (tmp_path / "out.csv").exists()


def test_backend_option_offers_duckdb_and_spark(tmp_path):
    completed = run_link("--backend", "oracle", "--input", "x.csv", "--output", str(tmp_path / "o.csv"))
    assert completed.returncode == 2
    assert (
        "invalid choice" in completed.stderr and "duckdb" in completed.stderr and "spark" in completed.stderr
    )
