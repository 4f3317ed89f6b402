"""Scoring a few pairs in Python with a trained Splink model, as Splink's own SQL scores them.

Plain rules with no Django import. An arriving record is compared with tens of candidates; running
Splink's scoring SQL on DuckDB for that costs about 25 ms a call, most of it fixed overhead. This
module evaluates the same model in Python: each comparison level's SQL condition (as saved in the
model) is compiled once, with sqlglot, into a Python function with SQL's three-valued logic, and the
levels' match weights, the term-frequency adjustment and the prior are read from Splink's own
settings object, so nothing of the model is restated here.

The string functions are the ones DuckDB runs: `jaro_winkler_similarity` (jellyfish gives the same
value; DuckDB gives 0.0 for two empty strings, and so does this) and `damerau_levenshtein`
(unrestricted, as jellyfish's). tests/linkage/test_pair_scoring.py checks every pair of thousands
against `linker.inference.predict` to 1e-9.

A condition this module cannot compile raises `Unsupported`; the caller then keeps Splink's SQL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jellyfish
import sqlglot
from sqlglot import expressions as exp

Row = Mapping[str, Any]
Evaluate = Callable[[Row, Row], Any]


class Unsupported(ValueError):
    """A level's SQL uses something this module does not evaluate."""


def _jaro_winkler(left: str, right: str) -> float:
    if not left and not right:
        return 0.0  # DuckDB's value for two empty strings
    return jellyfish.jaro_winkler_similarity(left, right)


def _damerau_levenshtein(left: str, right: str) -> int:
    return jellyfish.damerau_levenshtein_distance(left, right)


def _list_intersect(left: Sequence, right: Sequence) -> list:
    kept = set(right)
    return [item for item in dict.fromkeys(left) if item in kept]


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "jaro_winkler_similarity": _jaro_winkler,
    "damerau_levenshtein": _damerau_levenshtein,
    "list_intersect": _list_intersect,
    "array_intersect": _list_intersect,
}

_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    exp.EQ: lambda a, b: a == b,
    exp.NEQ: lambda a, b: a != b,
    exp.GT: lambda a, b: a > b,
    exp.GTE: lambda a, b: a >= b,
    exp.LT: lambda a, b: a < b,
    exp.LTE: lambda a, b: a <= b,
}


def _strict(function: Callable[..., Any], arguments: list[Evaluate]) -> Evaluate:
    """SQL's rule for functions and comparisons: NULL in, NULL out."""

    def evaluate(left: Row, right: Row) -> Any:
        values = [argument(left, right) for argument in arguments]
        if any(value is None for value in values):
            return None
        return function(*values)

    return evaluate


def _column(name: str) -> Evaluate:
    if name.endswith("_l"):
        key = name[:-2]
        return lambda left, right: left.get(key)
    if name.endswith("_r"):
        key = name[:-2]
        return lambda left, right: right.get(key)
    raise Unsupported(f"column {name!r} is not a left or right column")


def _and(parts: list[Evaluate]) -> Evaluate:
    def evaluate(left: Row, right: Row) -> bool | None:
        unknown = False
        for part in parts:
            value = part(left, right)
            if value is None:
                unknown = True
            elif not value:
                return False
        return None if unknown else True

    return evaluate


def _or(parts: list[Evaluate]) -> Evaluate:
    def evaluate(left: Row, right: Row) -> bool | None:
        unknown = False
        for part in parts:
            value = part(left, right)
            if value is None:
                unknown = True
            elif value:
                return True
        return None if unknown else False

    return evaluate


def _compile(node: exp.Expression) -> Evaluate:
    if isinstance(node, exp.Paren):
        return _compile(node.this)
    if isinstance(node, exp.And):
        return _and([_compile(node.this), _compile(node.expression)])
    if isinstance(node, exp.Or):
        return _or([_compile(node.this), _compile(node.expression)])
    if isinstance(node, exp.Not):
        inner = _compile(node.this)
        return lambda left, right: None if (value := inner(left, right)) is None else not value
    if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
        inner = _compile(node.this)
        return lambda left, right: inner(left, right) is None
    if type(node) in _COMPARE:
        return _strict(_COMPARE[type(node)], [_compile(node.this), _compile(node.expression)])
    if isinstance(node, exp.Column):
        return _column(node.name)
    if isinstance(node, exp.Literal):
        value = node.this if node.is_string else (int(node.this) if node.this.isdigit() else float(node.this))
        return lambda left, right: value
    if isinstance(node, exp.JarowinklerSimilarity):
        return _strict(_jaro_winkler, [_compile(node.this), _compile(node.expression)])
    if isinstance(node, exp.Substring):
        start, length = node.args.get("start"), node.args.get("length")
        if start is None or length is None:
            raise Unsupported("substr without a start and a length")
        return _strict(
            lambda text, first, count: text[first - 1 : first - 1 + count],
            [_compile(node.this), _compile(start), _compile(length)],
        )
    if isinstance(node, exp.ArraySize):
        return _strict(len, [_compile(node.this)])
    if isinstance(node, exp.Anonymous) and node.name.lower() in _FUNCTIONS:
        return _strict(_FUNCTIONS[node.name.lower()], [_compile(argument) for argument in node.expressions])
    raise Unsupported(f"cannot evaluate {node.sql(dialect='duckdb')!r}")


def compile_condition(sql: str) -> Evaluate:
    """A comparison level's SQL condition as a function of the left and right rows.

    Returns True, False or None (SQL's NULL), as the condition would in a CASE WHEN."""
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise Unsupported(f"cannot parse {sql!r}") from error
    return _compile(tree)


@dataclass(frozen=True)
class _Level:
    matches: Evaluate
    match_weight: float
    tf_column: str | None = None  # the term-frequency key of the row, when this level is adjusted
    tf_weight: float = 0.0
    log2_u_exact: float = 0.0
    tf_minimum: float = 0.0

    def tf_adjustment(self, left: Row, right: Row) -> float:
        if self.tf_column is None:
            return 0.0
        tf_left, tf_right = left.get(self.tf_column), right.get(self.tf_column)
        if tf_left is None and tf_right is None:
            return 0.0
        tf_left = tf_right if tf_left is None else tf_left
        tf_right = tf_left if tf_right is None else tf_right
        return self.tf_weight * (self.log2_u_exact - math.log2(max(tf_left, tf_right, self.tf_minimum)))


@dataclass(frozen=True)
class PairScore:
    match_weight: float
    match_probability: float


def probability(match_weight: float) -> float:
    """Splink's match probability of a match weight, computed its (overflow-safe) way."""
    if match_weight > 0:
        return 1.0 / (1.0 + 2.0 ** (-match_weight))
    power = 2.0**match_weight
    return power / (1.0 + power)


class PairScorer:
    """A trained Splink model's scoring of record pairs, in Python.

    `settings` is Splink's settings object of a linker made from the trained model
    (`linker._settings_obj`); rows are prepared rows (`prepare.prepare_row`), with the surname's
    term frequency under `tf_family_name` where known.
    """

    def __init__(self, settings: Any):
        probability_match = settings._probability_two_random_records_match
        self._prior = math.log2(probability_match / (1 - probability_match))
        self._comparisons: list[list[_Level]] = []
        for comparison in settings.comparisons:
            levels = []
            for level in comparison.comparison_levels:
                levels.append(self._level(level, comparison.comparison_levels))
            self._comparisons.append(levels)

    @staticmethod
    def _level(level: Any, siblings: list) -> _Level:
        if level._is_else_level:
            matches: Evaluate = lambda left, right: True  # noqa: E731
        else:
            matches = compile_condition(level.sql_condition)
        if level.is_null_level:
            return _Level(matches, 0.0)
        weight = level._match_weight
        if weight is None:
            raise Unsupported(f"level {level.label_for_charts!r} has no trained match weight")
        if level._is_else_level or not level._has_tf_adjustments or level._tf_adjustment_weight == 0:
            return _Level(matches, float(weight))
        column = str(level._tf_adjustment_input_column.tf_name_l).strip('"')
        if not column.endswith("_l"):
            raise Unsupported(f"unexpected term-frequency column {column!r}")
        return _Level(
            matches,
            float(weight),
            tf_column=column[:-2],
            tf_weight=float(level._tf_adjustment_weight),
            log2_u_exact=math.log2(level._u_probability_corresponding_to_exact_match(siblings)),
            tf_minimum=float(level._tf_minimum_u_value),
        )

    def score(self, left: Row, right: Row) -> PairScore:
        total = self._prior
        for levels in self._comparisons:
            for level in levels:
                if level.matches(left, right):  # the first level whose condition is true, as CASE WHEN
                    total += level.match_weight + level.tf_adjustment(left, right)
                    break
        return PairScore(total, probability(total))
