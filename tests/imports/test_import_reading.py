"""Reading import files (a plain module, no database): a row that cannot be read is quarantined and reading
carries on with the next; only a problem at the very end means the file was cut short; no row is held in
memory beyond `reading.ROW_LIMIT`."""

import io
import json

import pytest

from vigil.imports import reading


def _rows(content: bytes, fmt: str) -> list[reading.Row]:
    return list(reading.rows_read(io.BytesIO(content), fmt))


def _summary(rows):
    return [(r.number, r.values["id"] if r.values else r.problem) for r in rows]


def test_a_stray_quote_quarantines_its_row_and_the_rest_is_read():
    rows = _rows(b'id,name\nP1,Ann\nP2,"Bo"b\nP3,Cy\nP4,Di\n', reading.CSV)
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert [r.values["id"] for r in rows if r.values] == ["P1", "P3", "P4"]
    assert rows[1].problem.startswith("the row cannot be read as CSV") and "cut short" not in rows[1].problem
    assert rows[1].raw == 'P2,"Bo"b'


def test_row_numbers_stay_right_after_a_quoted_field_over_two_lines_and_a_bad_row():
    rows = _rows(b'id,name\nP1,"Ann\nMarie"\n\nP2,"Bo"b\nP3,Cy\n', reading.CSV)
    assert _summary(rows)[0] == (1, "P1") and rows[0].values["name"] == "Ann\nMarie"
    assert rows[1].number == 2 and rows[1].values is None
    assert _summary(rows)[2] == (3, "P3")


def test_a_bad_row_at_the_end_says_the_file_may_be_cut_short():
    rows = _rows(b'id,name\nP1,Ann\nP2,"Bo', reading.CSV)
    assert rows[0].values == {"id": "P1", "name": "Ann"}
    assert rows[1].number == 2 and "cut short" in rows[1].problem


def test_csv_cells_written_safe_for_spreadsheets_are_read_back_as_they_were():
    rows = _rows(b"id,name\n'=P1,'+44\n''=P2,'abc\n", reading.CSV)
    assert [r.values for r in rows] == [{"id": "=P1", "name": "+44"}, {"id": "'=P2", "name": "'abc"}]


def test_a_too_long_line_is_quarantined_in_csv_and_json_lines():
    long = "x" * (reading.ROW_LIMIT + 10)
    rows = _rows(f"id,name\nP1,Ann\nP2,{long}\nP3,Cy\n".encode(), reading.CSV)
    assert _summary(rows) == [(1, "P1"), (2, reading.TOO_LONG), (3, "P3")]
    assert len(rows[1].raw) <= reading.RAW_KEPT
    lines = [json.dumps({"id": "P1"}), json.dumps({"id": "P2", "name": long}), json.dumps({"id": "P3"})]
    rows = _rows(("\n".join(lines) + "\n").encode(), reading.JSONL)
    assert _summary(rows) == [(1, "P1"), (2, reading.TOO_LONG), (3, "P3")]


def test_a_broken_object_in_a_json_array_is_quarantined_and_the_rest_is_read():
    content = b'[{"id": "P1"}, {"id": "P2", "x": tru}, {"id": "P3", "n": "a}b"}, 7, {"id": "P4"}]'
    rows = _rows(content, reading.JSON)
    assert _summary(rows) == [(1, "P1"), (2, "the row is not valid JSON"), (3, "P3"), (4, "the row is not a JSON object"),
                              (5, "P4")]
    assert rows[1].raw == '{"id": "P2", "x": tru}'


def test_a_too_long_object_in_a_json_array_is_quarantined_and_the_rest_is_read():
    content = json.dumps([{"id": "P1"}, {"id": "P2", "name": "x" * (reading.ROW_LIMIT + 10)}, {"id": "P3"}])
    rows = _rows(content.encode(), reading.JSON)
    assert _summary(rows) == [(1, "P1"), (2, reading.TOO_LONG), (3, "P3")]


def test_a_json_array_whose_broken_object_hides_where_the_next_begins_is_refused():
    content = b'[{"id": "P1"}, {"id": "P2", "name": "Bo"b"}, {"id": "P3"}, {"id": "P4"}]'
    with pytest.raises(reading.FileUnreadable, match="object 2 of the JSON array cannot be read"):
        _rows(content, reading.JSON)


def test_a_json_array_cut_short_in_its_last_object():
    rows = _rows(b'[{"id": "P1"}, {"id": "P2", "na', reading.JSON)
    assert _summary(rows) == [(1, "P1"), (2, "the row is not valid JSON; the file is cut short")]
