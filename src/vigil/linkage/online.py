"""Online matching: score one arriving record against candidate records with the saved model.

Plain functions with no Django import. The scoring is Splink's own (`linker.inference.score_pairs`
on the trained settings that `matching.model_document` saved), so a pair scores here exactly as it
scores in a full re-link (`linker.inference.predict`); tests/linkage/test_online.py checks that to
1e-9.

One `OnlineScorer` (one Linker on one in-process DuckDB connection) is kept per loaded model
(`scorer_for`), so repeated calls do not parse the settings or build the linker again. Splink's
scoring SQL is captured once from `linker.inference.score_pairs`; each call registers two small
Arrow tables (the new record, the candidates) and runs that SQL on the kept DuckDB connection.

Term frequencies: the surname comparison adjusts an exact surname match by how common the surname
is (Smith agreeing says less than Okafor agreeing). A full re-link takes that frequency from the
file it links; online, the caller passes it (`family_name_tf`: surname comparison form -> share of
records with that surname, as `candidates.surname_frequencies` reads from the database). A surname
with no frequency gets no adjustment.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa
from splink import DuckDBAPI, Linker

from vigil.linkage import pair_scoring
from vigil.linkage.matching import DEFAULT_LOWER, DEFAULT_UPPER
from vigil.linkage.prepare import PREPARED_COLUMNS

logger = logging.getLogger(__name__)

Band = Literal["link", "review", "new"]

NEW_RECORD_ID = "__new__"
TF_COLUMN = "tf_family_name"

_STRING = pa.string()
_SCHEMA = pa.schema(
    [
        (name, pa.list_(_STRING) if name == "given_canonical" else _STRING)
        for name in PREPARED_COLUMNS
    ]
    + [(TF_COLUMN, pa.float64())]
)


def band(probability: float, upper: float = DEFAULT_UPPER, lower: float = DEFAULT_LOWER) -> Band:
    """"link" at or above `upper`, "review" from `lower` up to `upper`, "new" below `lower`."""
    if not 0 < lower <= upper < 1:
        raise ValueError("thresholds must satisfy 0 < lower <= upper < 1")
    if probability >= upper:
        return "link"
    if probability >= lower:
        return "review"
    return "new"


@dataclass(frozen=True)
class Score:
    unique_id: str  # the candidate's
    match_probability: float
    match_weight: float


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text or None


def _scored_row(record: Mapping[str, Any], frequencies: Mapping[str, float]) -> dict[str, Any]:
    """The row as scored: text or None (never ""), the nickname list or None, the surname's frequency."""
    row: dict[str, Any] = {}
    for name in PREPARED_COLUMNS:
        value = record.get(name)
        if name == "given_canonical":
            row[name] = [str(item) for item in value] if value else None
        else:
            row[name] = _text(value)
    family = record.get("family_name")
    tf = record.get(TF_COLUMN)
    row[TF_COLUMN] = float(tf) if tf is not None else frequencies.get(family) if family else None
    return row


def _arrow_table(
    records: Sequence[Mapping[str, Any]], family_name_tf: Mapping[str, float] | None
) -> pa.Table:
    rows = [_scored_row(record, family_name_tf or {}) for record in records]
    return pa.table({name: [row[name] for row in rows] for name in _SCHEMA.names}, schema=_SCHEMA)


class OnlineScorer:
    """Splink scoring of one record against a few, on a linker kept for one trained model.

    Splink builds its scoring SQL (comparison levels, m and u, term-frequency adjustment) in Python
    on every `score_pairs` call, which costs far more than running it on a few rows. So the SQL is
    captured once, from a real `linker.inference.score_pairs` call on two tables registered under
    fixed names, and each call re-registers those two tables and runs that same SQL.
    """

    _LEFT, _RIGHT = "__vigil_online_l", "__vigil_online_r"

    def __init__(self, splink_settings: Mapping[str, Any]):
        if not splink_settings:
            raise ValueError("the model has no trained settings (it was trained on too few records)")
        settings = json.loads(json.dumps(splink_settings))  # our own copy: Splink may annotate it
        self._db_api = DuckDBAPI()
        # The linker needs an input table; scoring never reads it (frequencies come with the records).
        empty = self._db_api.register(_arrow_table([], None), table_name="__vigil_online_input")
        self._linker = Linker(empty, settings, log_level=logging.ERROR)
        self._connection = self._db_api.duckdb_con
        self._lock = threading.Lock()
        self._sql = self._capture_scoring_sql()
        try:
            self._pairs: pair_scoring.PairScorer | None = pair_scoring.PairScorer(self._linker._settings_obj)
        except pair_scoring.Unsupported as error:  # a model this Python scorer cannot read: Splink's SQL
            logger.warning("online scoring falls back to Splink's SQL: %s", error)
            self._pairs = None

    def _capture_scoring_sql(self) -> str:
        tables = self._linker.table_management
        left = tables.register_table(_arrow_table([], None), self._LEFT, overwrite=True)
        right = tables.register_table(_arrow_table([], None), self._RIGHT, overwrite=True)
        captured: list[str] = []
        execute = self._db_api._execute_sql

        def spy(sql: str, output_tablename_templated: str):
            if output_tablename_templated == "__splink__df_predict":  # not the term-frequency table
                captured.append(sql)
            return execute(sql, output_tablename_templated)

        self._db_api._execute_sql = spy
        try:
            predictions = self._linker.inference.score_pairs(left, right)
        finally:
            del self._db_api._execute_sql  # back to the class's method
        predictions.drop_table_from_database_and_remove_from_cache()
        if len(captured) != 1 or self._LEFT not in captured[0] or self._RIGHT not in captured[0]:
            raise RuntimeError("could not capture Splink's scoring SQL (has Splink's score_pairs changed?)")
        return f"SELECT unique_id_r, match_probability, match_weight FROM ({captured[0]}) AS scored"

    def score(
        self,
        record: Mapping[str, Any],
        candidates: Sequence[Mapping[str, Any]],
        *,
        family_name_tf: Mapping[str, float] | None = None,
        use_sql: bool = False,
    ) -> list[Score]:
        """Each candidate's match probability and weight against `record`, in candidate order.

        `record` and `candidates` are prepared rows (`prepare.prepare_row`); candidates need
        distinct `unique_id`s. A row may carry its own `tf_family_name`, else `family_name_tf` is used.
        The model is evaluated in Python (`pair_scoring`); `use_sql` runs Splink's SQL instead (the
        two agree: tests/linkage/test_pair_scoring.py).
        """
        if not candidates:
            return []
        left = dict(record)
        left["unique_id"] = NEW_RECORD_ID
        ids = [str(candidate["unique_id"]) for candidate in candidates]
        if len(set(ids)) != len(ids):
            raise ValueError("candidate unique_ids must be distinct")
        if self._pairs is not None and not use_sql:
            frequencies = family_name_tf or {}
            left_row = _scored_row(left, frequencies)
            scores = [self._pairs.score(left_row, _scored_row(candidate, frequencies)) for candidate in candidates]
            return [
                Score(unique_id, pair.match_probability, pair.match_weight)
                for unique_id, pair in zip(ids, scores, strict=True)
            ]
        left_table = _arrow_table([left], family_name_tf)
        right_table = _arrow_table(candidates, family_name_tf)
        with self._lock:
            self._connection.register(self._LEFT, left_table)
            self._connection.register(self._RIGHT, right_table)
            rows = self._connection.execute(self._sql).fetchall()
        by_id = {str(uid): Score(str(uid), float(probability), float(weight)) for uid, probability, weight in rows}
        return [by_id[unique_id] for unique_id in ids]


@functools.lru_cache(maxsize=4)
def _scorer_for_json(settings_json: str) -> OnlineScorer:
    return OnlineScorer(json.loads(settings_json))


def scorer_for(splink_settings: Mapping[str, Any]) -> OnlineScorer:
    """The scorer of a trained model, made once per model and kept (up to four models)."""
    return _scorer_for_json(json.dumps(splink_settings, sort_keys=True, default=str))


def score(
    record: Mapping[str, Any],
    candidates: Sequence[Mapping[str, Any]],
    splink_settings: Mapping[str, Any],
    *,
    family_name_tf: Mapping[str, float] | None = None,
) -> list[Score]:
    """Score `record` against `candidates` with the model whose Splink settings are given."""
    return scorer_for(splink_settings).score(record, candidates, family_name_tf=family_name_tf)
