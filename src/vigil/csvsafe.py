"""Cells of a CSV file that a spreadsheet will not run as formulas (CSV, or formula, injection).

A cell that, after leading spaces, starts with `=`, `+`, `-` or `@`, or that starts with a tab or a carriage
return, is written with a `'` in front (so is a phone number like +447700900123, which a spreadsheet
would otherwise turn into a number), which spreadsheets show as text. So that reading the file back gives
the value written, a cell that is such a value with a `'` in front (including one already escaped) is escaped
too: `csv_unescape(csv_safe(value)) == value` for every value.
"""

FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _needs_quote(value: str) -> bool:
    bare = value.lstrip("'")
    return bare.startswith(CONTROL_STARTS) or bare.lstrip(" ").startswith(FORMULA_STARTS)


def csv_safe(value, *, keep_numbers: bool = False) -> str:
    """The value (None as an empty cell, anything else as its text) as a cell a spreadsheet shows as text.
    With `keep_numbers`, a plain number such as -3.5 stays a number (figures meant for sums)."""
    text = "" if value is None else str(value)
    if keep_numbers and _is_number(text):
        return text
    return f"'{text}" if _needs_quote(text) else text


def csv_unescape(value: str) -> str:
    """The value `csv_safe` was given: a leading `'` it added is removed (any other cell is left as it is)."""
    return value[1:] if value.startswith("'") and _needs_quote(value[1:]) else value
