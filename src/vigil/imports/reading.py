"""Reading import files row by row, without holding the file in memory: CSV with a header row, JSON Lines
(one object per line) or a JSON array of objects. A plain module.

Each row comes out as `(number, values, problem)`: `values` a dict of the row's cells, or `problem` saying
why the row cannot be read at all (broken encoding is left in the values, as surrogates, for the schema to
name the field; a row cut short, or JSON that does not parse, is a problem). Rows are numbered from 1, the
first data row, so a person can find them in the file. A file that cannot be read at all (no header, not
JSON) raises `FileUnreadable`.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

CSV, JSONL, JSON = "csv", "jsonl", "json"
FORMATS = (CSV, JSONL, JSON)
CHUNK = 1 << 16


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


class _Lines:
    """The text's lines, remembering whether the last one ended with a line break."""

    def __init__(self, text: io.TextIOWrapper):
        self.text, self.last = text, "\n"

    def __iter__(self):
        for line in self.text:
            self.last = line
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
    header = [name.strip() for name in header]
    if len(set(header)) != len(header):
        raise FileUnreadable("the header row names a column twice")
    number, pending = 0, None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            if pending:
                yield pending
            yield Row(number + 1, None, f"the row cannot be read as CSV ({error}); the file may be cut short")
            return
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are not rows
        if pending:
            yield pending
        number += 1
        pending = _csv_row(number, header, cells)
    if pending:
        if not lines.ended_cleanly and pending.values is not None:
            pending = Row(pending.number, None, CUT_SHORT, raw=",".join(pending.values.values()),
                          partial=pending.values)
        yield pending


def _csv_row(number: int, header: list[str], cells: list[str]) -> Row:
    if len(cells) != len(header):
        fewer = len(cells) < len(header)
        return Row(number, None, f"the row has {len(cells)} cells, {'fewer' if fewer else 'more'} than the header's "
                                 f"{len(header)}" + ("; the file may be cut short" if fewer else ""),
                   raw=",".join(cells), partial=dict(zip(header, cells, strict=False)))
    return Row(number, dict(zip(header, cells, strict=True)))


def _object_row(number: int, text: str) -> Row:
    try:
        value = json.loads(text)
    except ValueError:
        return Row(number, None, "the row is not valid JSON; the file may be cut short", raw=text[:2000])
    if not isinstance(value, dict):
        return Row(number, None, "the row is not a JSON object", raw=text[:2000])
    return Row(number, value)


def _jsonl_rows(text: io.TextIOWrapper) -> Iterator[Row]:
    number = 0
    for line in text:
        if not line.strip():
            continue
        number += 1
        yield _object_row(number, line)


def _json_array_rows(stream: BinaryIO) -> Iterator[Row]:
    """A JSON array read an object at a time: `[ {...}, {...} ]`."""
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
        while True:
            try:
                value, end = decoder.raw_decode(buffer, position)
            except ValueError:
                if not at_end and fill():
                    continue
                number += 1
                yield Row(number, None, "the row is not valid JSON; the file may be cut short",
                          raw=buffer[position:position + 2000])
                return
            break
        number += 1
        position = end
        yield Row(number, value) if isinstance(value, dict) else Row(number, None, "the row is not a JSON object")
        if len(buffer) - position < CHUNK and not at_end:
            fill()
