"""Reading import files row by row, without holding the file in memory: CSV with a header row, JSON Lines
(one object per line) or a JSON array of objects. A plain module.

Each row comes out as `(number, values, problem)`: `values` a dict of the row's cells, or `problem` saying
why the row cannot be read at all (broken encoding is left in the values, as surrogates, for the schema to
name the field; a row cut short, JSON that does not parse, a row longer than `ROW_LIMIT` is a problem). A
row that cannot be read never stops the file: reading carries on with the next row (the next line of a CSV
or JSON Lines file, the next object of a JSON array). Rows are numbered from 1, the first data row, so a
person can find them in the file. A file that cannot be read at all (no header, not JSON, a JSON array
whose broken object leaves no way to find the next) raises `FileUnreadable`.

CSV cells written safe for spreadsheets (`vigil.csvsafe`, as in the quarantine report) are read back as
they were: a leading `'` before `=`, `+`, `-`, `@`, a tab or a carriage return is removed.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from vigil.csvsafe import csv_unescape

CSV, JSONL, JSON = "csv", "jsonl", "json"
FORMATS = (CSV, JSONL, JSON)
CHUNK = 1 << 16
ROW_LIMIT = 1 << 20  # characters: a longer row (line, object) is quarantined, not held in memory
RAW_KEPT = 2000  # characters of an unreadable row kept for the report
TOO_LONG = f"the row is longer than {ROW_LIMIT // (1 << 20)} MiB, the most a row may be"


class FileUnreadable(ValueError):
    pass


@dataclass
class Row:
    number: int
    values: dict | None
    problem: str = ""
    raw: str = ""  # the row as text, for the quarantine report, when it could not be read into values
    partial: dict | None = None  # the cells that could be matched to columns, for the report


def format_of(filename: str, first_bytes: bytes) -> str:
    name = filename.lower()
    if name.endswith(".jsonl") or name.endswith(".ndjson"):
        return JSONL
    if name.endswith(".json"):
        return JSON if first_bytes.lstrip()[:1] == b"[" else JSONL
    return CSV


def rows_read(stream: BinaryIO, fmt: str) -> Iterator[Row]:
    """The rows of the file; the stream stays open (the caller reads its position for progress)."""
    if fmt == JSON:
        yield from _json_array_rows(stream)
        return
    text = _text(stream)
    try:
        if fmt == CSV:
            yield from _csv_rows(text)
        elif fmt == JSONL:
            yield from _jsonl_rows(text)
        else:
            raise FileUnreadable(f"unknown format {fmt!r}")
    finally:
        text.detach()


def _text(stream: BinaryIO) -> io.TextIOWrapper:
    # Undecodable bytes become surrogates so that one broken row does not stop the file; the schema
    # reports the field. A byte-order mark is dropped.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _bounded_lines(text: io.TextIOWrapper) -> Iterator[tuple[str, bool]]:
    """The text's lines and whether each was too long: a line over `ROW_LIMIT` comes out as its start, the
    rest read and dropped, so memory stays bounded whatever the file holds."""
    while line := text.readline(ROW_LIMIT + 1):
        if len(line) <= ROW_LIMIT or line.endswith(("\n", "\r")):
            yield line, False
            continue
        while (more := text.readline(CHUNK)) and not more.endswith(("\n", "\r")):
            pass
        yield line[:RAW_KEPT], True


class _Lines:
    """The lines fed to the CSV reader, remembering whether the last one ended with a line break, the
    start of the lines taken since `mark()` (for the report) and whether one of them was too long (it is
    fed to the reader as an empty line)."""

    def __init__(self, text: io.TextIOWrapper):
        self.text, self.last = text, "\n"
        self.mark()

    def mark(self) -> None:
        self.taken, self.too_long = "", False

    def __iter__(self):
        for line, too_long in _bounded_lines(self.text):
            self.last = line
            if len(self.taken) < RAW_KEPT:
                self.taken = (self.taken + line)[:RAW_KEPT]
            if too_long:
                self.too_long, line = True, "\n"
            yield line

    @property
    def ended_cleanly(self) -> bool:
        return self.last.endswith(("\n", "\r"))


CUT_SHORT = "the file does not end with a line break, so this last row may be cut short: check it and send it again"


def _csv_rows(text: io.TextIOWrapper) -> Iterator[Row]:
    lines = _Lines(text)
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise FileUnreadable("the file is empty: it needs a header row naming the columns") from None
    except csv.Error as error:
        raise FileUnreadable(f"the header row cannot be read as CSV ({error})") from None
    if lines.too_long:
        raise FileUnreadable("the header row is too long")
    header = [name.strip() for name in header]
    if len(set(header)) != len(header):
        raise FileUnreadable("the header row names a column twice")
    number, pending = 0, None
    while True:
        lines.mark()
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # Python's reader drops the rest of the line it failed on and reads on from the next line.
            row = Row(number + 1, None, TOO_LONG if lines.too_long else f"the row cannot be read as CSV ({error})",
                      raw=lines.taken.rstrip("\r\n"))
        else:
            if not lines.too_long and not any(cell.strip() for cell in cells):
                continue  # blank lines are not rows
            row = (Row(number + 1, None, TOO_LONG, raw=lines.taken.rstrip("\r\n")) if lines.too_long
                   else _csv_row(number + 1, header, cells))
        if pending:
            yield pending
        number += 1
        pending = row
    if pending:
        if pending.values is None and not pending.problem.startswith(("the row has", "the row is longer")):
            # A row that cannot be read as CSV at the very end: the file was probably cut short.
            pending.problem += "; the file may be cut short"
        elif not lines.ended_cleanly and pending.values is not None:
            pending = Row(pending.number, None, CUT_SHORT, raw=",".join(pending.values.values()),
                          partial=pending.values)
        yield pending


def _csv_row(number: int, header: list[str], cells: list[str]) -> Row:
    if len(cells) != len(header):
        fewer = len(cells) < len(header)
        return Row(number, None, f"the row has {len(cells)} cells, {'fewer' if fewer else 'more'} than the header's "
                                 f"{len(header)}" + ("; the file may be cut short" if fewer else ""),
                   raw=",".join(cells), partial=dict(zip(header, cells, strict=False)))
    return Row(number, dict(zip(header, map(csv_unescape, cells), strict=True)))


def _object_row(number: int, text: str, *, cut_short: bool = False) -> Row:
    cut_short = "; the file may be cut short" if cut_short else ""
    try:
        value = json.loads(text)
    except ValueError:
        return Row(number, None, "the row is not valid JSON" + cut_short, raw=text[:RAW_KEPT])
    if not isinstance(value, dict):
        return Row(number, None, "the row is not a JSON object", raw=text[:RAW_KEPT])
    return Row(number, value)


def _jsonl_rows(text: io.TextIOWrapper) -> Iterator[Row]:
    def row(number: int, line: str, too_long: bool, last: bool) -> Row:
        return Row(number, None, TOO_LONG, raw=line) if too_long else _object_row(number, line, cut_short=last)

    number, pending = 0, None
    for line, too_long in _bounded_lines(text):
        if not line.strip():
            continue
        if pending:
            yield row(*pending, last=False)
        number += 1
        pending = (number, line, too_long)
    if pending:  # only the last row may be cut short
        yield row(*pending, last=True)


_STRING_STOP = re.compile(r'["\\]')
_STRUCTURE = re.compile(r'["{}\[\],]')
_NEXT_OBJECT = re.compile(r"}\s*,\s*{")


def _json_array_rows(stream: BinaryIO) -> Iterator[Row]:
    """A JSON array read an object at a time: `[ {...}, {...} ]`. An object that does not parse is
    quarantined and reading goes on after its closing brace, found by counting brackets outside strings;
    when no end can be found the file is refused, never read as if it ended there."""
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")
    buffer, position, number, at_end = "", 0, 0, False

    def fill() -> bool:
        nonlocal buffer, position, at_end
        chunk = stream.read(CHUNK)
        if not chunk:
            at_end = True
            buffer = buffer[position:] + text.decode(b"", final=True)
            position = 0
            return False
        buffer = buffer[position:] + text.decode(chunk)
        position = 0
        return True

    def skip(characters: str) -> None:
        nonlocal position
        while True:
            while position < len(buffer) and buffer[position] in characters:
                position += 1
            if position < len(buffer) or not fill():
                return

    def element_end() -> tuple[int | None, bool, bool]:
        """Where the element at `position` ends (None: at the end of the file), whether it is longer than
        `ROW_LIMIT` (its text is then dropped as it is scanned: `position` moves with the scan) and whether it
        seems to have swallowed the objects after it (`}, {` inside it: rows are flat), as a quote out of
        place does."""
        nonlocal position
        depth, in_string, at, scanned, swallowed = 0, False, position, 0, False
        while True:
            if at >= len(buffer):
                if at - position > ROW_LIMIT:  # too long to keep: drop what is scanned
                    swallowed = swallowed or bool(_NEXT_OBJECT.search(buffer, position))
                    dropped = len(buffer) - position
                    scanned, position = scanned + dropped, position + dropped
                offset = at - position
                if not fill():
                    swallowed = swallowed or bool(_NEXT_OBJECT.search(buffer, position))
                    return None, scanned > 0, swallowed
                at = position + offset
                continue
            found = (_STRING_STOP if in_string else _STRUCTURE).search(buffer, at)
            if found is None:
                at = len(buffer)
                continue
            mark, at = found.group(), found.end()
            if in_string:
                if mark == "\\":
                    at += 1  # the escaped character
                else:
                    in_string = False
                continue
            if mark == '"':
                in_string = True
                continue
            if mark in "{[":
                depth += 1
                continue
            if depth == 0:  # a comma or bracket ending a value that is not an object (a stray `}` with it)
                end = at if mark == "}" else found.start()
            elif mark == ",":
                continue
            else:
                depth -= 1
                if depth:
                    continue
                end = at
            swallowed = swallowed or bool(_NEXT_OBJECT.search(buffer, position, end))
            return end, scanned + end - position > ROW_LIMIT, swallowed

    skip(" \t\r\n")
    if position >= len(buffer) or buffer[position] != "[":
        raise FileUnreadable("a .json file must hold an array of objects, or use JSON Lines (.jsonl)")
    position += 1
    while True:
        skip(" \t\r\n,")
        if position >= len(buffer):
            number += 1
            yield Row(number, None, "the array is not closed; the file is cut short")
            return
        if buffer[position] == "]":
            return
        number += 1
        while True:
            try:
                value, end = decoder.raw_decode(buffer, position)
            except ValueError:
                if not at_end and len(buffer) - position <= ROW_LIMIT and fill():
                    continue
                value = end = None
            break
        if end is not None and end - position <= ROW_LIMIT:
            yield Row(number, value) if isinstance(value, dict) else Row(number, None, "the row is not a JSON object")
            position = end
        else:  # broken or too long: find where it ends and read on from there
            end, too_long, swallowed = element_end()
            if swallowed or (end is None and too_long):
                raise FileUnreadable(
                    f"object {number} of the JSON array cannot be read and where it ends cannot be found (a quote or "
                    f"bracket out of place?), so the objects after it cannot be read: reading stopped there; fix "
                    f"the file and import it again")
            if end is None:
                yield Row(number, None, "the row is not valid JSON; the file is cut short", raw=buffer[position:][:RAW_KEPT])
                return
            raw = buffer[position:end]
            position = end
            yield (Row(number, None, TOO_LONG, raw=raw[:RAW_KEPT]) if too_long
                   else _object_row(number, raw) if raw.strip() else Row(number, None, "the row is empty"))
        if len(buffer) - position < CHUNK and not at_end:
            fill()
