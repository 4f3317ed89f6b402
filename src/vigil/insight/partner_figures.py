"""Partner figures, the plain rules (no Django): reading an upload of figures a partner agency keeps (an
IDVA service's cases, a refuge's referrals...) for the performance pack.

The file is CSV (UTF-8, a BOM allowed) with this header, in this order:

    agency_code,period_start,period_end,measure,value,unit,note

- agency_code: the agency's code in Vigil (`accounts.Agency.code`), a partner agency (not the force);
- period_start, period_end: days, YYYY-MM-DD, both inclusive, the end on or after the start;
- measure: what was counted, in words (up to 120 characters);
- value: a number (up to 4 decimal places);
- unit: what the number is in, for example "cases" or "%" (up to 30 characters; may be empty);
- note: the source, or anything a reader needs (up to 500 characters; may be empty).

Every row is checked and every error is reported by its line; one bad row and nothing is kept. The same
agency, period and measure twice in one file is an error (the database refuses one already imported).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

HEADER = ("agency_code", "period_start", "period_end", "measure", "value", "unit", "note")
MAX_ROWS = 1000
MAX_BYTES = 512 * 1024
MEASURE_LENGTH, UNIT_LENGTH, NOTE_LENGTH = 120, 30, 500
MAX_DIGITS, DECIMAL_PLACES = 14, 4


@dataclass(frozen=True)
class Row:
    line: int
    agency_code: str
    period_start: date
    period_end: date
    measure: str
    value: Decimal
    unit: str
    note: str


class FileRejected(ValueError):
    """The file cannot be imported: `errors` says why, each message naming its line."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _day(text: str, column: str, line: int, errors: list[str]) -> date | None:
    try:
        if len(text) == 10 and text[4] == text[7] == "-":
            return date.fromisoformat(text)
    except ValueError:
        pass
    errors.append(f"Line {line}: {column} must be a date like 2013-08-31, not {text[:20]!r}")
    return None


def _value(text: str, line: int, errors: list[str]) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors.append(f"Line {line}: value must be a number, not {text[:20]!r}")
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > DECIMAL_PLACES:
        errors.append(f"Line {line}: value can have at most {DECIMAL_PLACES} decimal places")
        return None
    if abs(value) >= Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES):
        errors.append(f"Line {line}: value is too large")
        return None
    return value


def parse(content: bytes, *, agency_codes: set[str]) -> list[Row]:
    """The rows of an upload, checked; FileRejected with every error otherwise. `agency_codes`: the codes
    of the partner agencies a row may name."""
    if len(content) > MAX_BYTES:
        raise FileRejected([f"The file must be smaller than {MAX_BYTES // 1024} KB"])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(["The file must be CSV saved as UTF-8"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileRejected(["The file is empty: its first line must be the header " + ",".join(HEADER)]) from None
    if tuple(h.strip().lower() for h in header) != HEADER:
        raise FileRejected([f"Line 1 must be the header {','.join(HEADER)}"])
    rows: list[Row] = []
    errors: list[str] = []
    seen: dict[tuple, int] = {}
    try:
        records = list(reader)
    except csv.Error as error:
        raise FileRejected([f"The file is not valid CSV: {error}"]) from None
    for index, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line
        if len(record) != len(HEADER):
            errors.append(f"Line {index}: has {len(record)} columns, not {len(HEADER)}")
            continue
        code, start_text, end_text, measure, value_text, unit, note = (cell.strip() for cell in record)
        before = len(errors)
        if code not in agency_codes:
            errors.append(f"Line {index}: agency_code {code[:40]!r} is not a partner agency in Vigil")
        start = _day(start_text, "period_start", index, errors)
        end = _day(end_text, "period_end", index, errors)
        if start and end and end < start:
            errors.append(f"Line {index}: period_end is before period_start")
        if not measure:
            errors.append(f"Line {index}: measure is empty")
        elif len(measure) > MEASURE_LENGTH:
            errors.append(f"Line {index}: measure must be at most {MEASURE_LENGTH} characters")
        value = _value(value_text, index, errors)
        if len(unit) > UNIT_LENGTH:
            errors.append(f"Line {index}: unit must be at most {UNIT_LENGTH} characters")
        if len(note) > NOTE_LENGTH:
            errors.append(f"Line {index}: note must be at most {NOTE_LENGTH} characters")
        if len(errors) > before:
            continue
        key = (code, start, end, measure.casefold())
        if key in seen:
            errors.append(f"Line {index}: the same agency, period and measure as line {seen[key]}")
            continue
        seen[key] = index
        rows.append(Row(index, code, start, end, measure, value, unit, note))
    if not rows and not errors:
        errors.append("The file has no figures: add a line for each figure under the header")
    if len(rows) > MAX_ROWS:
        errors.append(f"The file can hold at most {MAX_ROWS} figures")
    if errors:
        raise FileRejected(errors)
    return rows
