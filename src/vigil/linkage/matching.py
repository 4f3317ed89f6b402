"""Person matching with Splink on an in-process DuckDB: settings, training, prediction, clustering.

Plain functions with no Django import. The input is the column dict that `prepare.py` makes; the
output is a mapping of record id to person id. Splink's linker is split the same way
(`linker.training`, `linker.inference`, `linker.clustering`), and so is this module.

Splink 5 notes: inputs are registered with `DuckDBAPI().register(...)` before the `Linker` sees
them; the linker takes the registered table and a settings object; predictions carry match
weights (`mw_` columns) rather than Bayes factors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_rule_library import CustomRule

MODEL_VERSION = "vigil-linkage-uk-1"
REFERENCE_MODEL_VERSION = "splink-reference-1"

DEFAULT_UPPER = 0.95  # link automatically at or above
DEFAULT_LOWER = 0.50  # below: a new person; between the two: human review
# Pairs sampled to estimate u. 1e6 measured as accurate as 5e6 on FEBRL3 and the demo data, 5x faster.
DEFAULT_MAX_PAIRS = 1e6

Progress = Callable[[str], None]


def _silent(_message: str) -> None:
    return None


# --- settings -----------------------------------------------------------------------------------


def _names_comparison() -> cl.CustomComparison:
    """Forename and surname together, so a swap or a nickname is one recognisable level."""
    given, family = "given_name", "family_name"
    both_jw = lambda threshold: cll.And(  # noqa: E731
        cll.JaroWinklerLevel(given, threshold), cll.JaroWinklerLevel(family, threshold)
    )
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="forename and surname (swaps, nicknames, phonetic)",
        comparison_levels=[
            cll.And(cll.NullLevel(given), cll.NullLevel(family)),
            cll.And(cll.ExactMatchLevel(given), cll.ExactMatchLevel(family)).configure(
                label_for_charts="Exact forename and surname"
            ),
            cll.ColumnsReversedLevel(given, family, symmetrical=True).configure(
                label_for_charts="Forename and surname swapped"
            ),
            cll.And(cll.ArrayIntersectLevel("given_canonical", 1), cll.ExactMatchLevel(family)).configure(
                label_for_charts="Nickname of the same forename, same surname"
            ),
            both_jw(0.92).configure(label_for_charts="Both names Jaro-Winkler >= 0.92"),
            cll.And(cll.ExactMatchLevel("given_phonetic"), cll.ExactMatchLevel("family_phonetic")).configure(
                label_for_charts="Both names sound alike (Metaphone)"
            ),
            both_jw(0.85).configure(label_for_charts="Both names Jaro-Winkler >= 0.85"),
            cll.ExactMatchLevel(family).configure(
                tf_adjustment_column=family, label_for_charts="Same surname only"
            ),
            cll.Or(cll.ExactMatchLevel(given), cll.ArrayIntersectLevel("given_canonical", 1)).configure(
                label_for_charts="Same forename (or nickname) only"
            ),
            cll.ElseLevel(),
        ],
    )


def _dob_comparison() -> cl.CustomComparison:
    dob = "date_of_birth"
    swapped = (
        "substr(date_of_birth_l, 1, 4) = substr(date_of_birth_r, 1, 4) "
        "AND substr(date_of_birth_l, 6, 2) = substr(date_of_birth_r, 9, 2) "
        "AND substr(date_of_birth_l, 9, 2) = substr(date_of_birth_r, 6, 2)"
    )
    return cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_description="date of birth (typos, day and month swapped)",
        comparison_levels=[
            cll.NullLevel(dob),
            cll.ExactMatchLevel(dob).configure(label_for_charts="Exact date of birth"),
            cll.CustomLevel(swapped, label_for_charts="Day and month swapped"),
            cll.DamerauLevenshteinLevel(dob, 1).configure(label_for_charts="One digit off or transposed"),
            cll.DamerauLevenshteinLevel(dob, 2).configure(label_for_charts="Two digits off"),
            cll.ElseLevel(),
        ],
    )


def _location_comparison() -> cl.CustomComparison:
    """Postcode and address as one comparison.

    They say the same thing (where someone lives), so counting them separately would count a
    household twice and merge family members who share a surname and a front door.
    """
    pc, address = "postcode", "address"
    same_pc = cll.ExactMatchLevel(pc)
    return cl.CustomComparison(
        output_column_name="location",
        comparison_description="postcode (full, sector, district) and address",
        comparison_levels=[
            cll.And(cll.NullLevel(pc), cll.NullLevel(address)),
            cll.And(same_pc, cll.ExactMatchLevel(address)).configure(
                label_for_charts="Same postcode and address"
            ),
            cll.And(
                same_pc, cll.Or(cll.JaroWinklerLevel(address, 0.9), cll.ExactMatchLevel("address_number"))
            ).configure(label_for_charts="Same postcode, address alike"),
            cll.Or(
                cll.ExactMatchLevel(address),
                cll.And(cll.DamerauLevenshteinLevel(pc, 1), cll.JaroWinklerLevel(address, 0.9)),
            ).configure(label_for_charts="Same address, postcode slip or missing"),
            same_pc.configure(label_for_charts="Same postcode, different address"),
            cll.Or(
                cll.ExactMatchLevel("postcode_sector"),
                cll.DamerauLevenshteinLevel(pc, 1),
                cll.JaroWinklerLevel(address, 0.9),
            ).configure(label_for_charts="Same sector, or postcode or address one slip off"),
            cll.ExactMatchLevel("postcode_district").configure(label_for_charts="Same district"),
            cll.ElseLevel(),
        ],
    )


def _exact_or_typo(column: str, description: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_description=description,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.DamerauLevenshteinLevel(column, 1).configure(label_for_charts="One character off"),
            cll.ElseLevel(),
        ],
    )


def uk_blocking_rules() -> list:
    """Which pairs are scored at all: wide enough that swaps and typos still meet."""
    return [
        block_on("given_name", "family_name"),
        CustomRule("l.given_name = r.family_name AND l.family_name = r.given_name"),
        block_on("date_of_birth"),
        block_on("family_phonetic", "dob_year"),
        block_on("given_phonetic", "postcode"),
        block_on("postcode", "address_number"),
        block_on("phone"),
        block_on("identifier"),
    ]


def uk_settings() -> SettingsCreator:
    """Vigil's configuration: comparisons suited to UK person records."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _names_comparison(),
            _dob_comparison(),
            _location_comparison(),
            _exact_or_typo("phone", "phone (E.164)"),
            _exact_or_typo("identifier", "identifier (PNC ID, NI number or similar)"),
        ],
        blocking_rules_to_generate_predictions=uk_blocking_rules(),
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def reference_settings() -> SettingsCreator:
    """A plain Splink configuration (as in Splink's own FEBRL example) to measure against.

    Exact and Levenshtein comparisons on the raw columns, no swaps, nicknames, phonetics or
    postcode structure.
    """
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.LevenshteinAtThresholds("given_name", [1, 2]),
            cl.LevenshteinAtThresholds("family_name", [1, 2]),
            cl.LevenshteinAtThresholds("date_of_birth", [1, 2]),
            cl.LevenshteinAtThresholds("postcode", [1, 2]),
            cl.LevenshteinAtThresholds("address", [1, 2]),
            cl.ExactMatch("phone"),
            cl.ExactMatch("identifier"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name"),
            block_on("date_of_birth"),
            block_on("postcode"),
            block_on("identifier"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


@dataclass(frozen=True)
class Configuration:
    name: str
    version: str
    settings: Callable[[], SettingsCreator]
    # EM sessions: each blocks on something so the other comparisons' m values can be learned.
    training_blocks: Callable[[], list] = field(default=lambda: [])
    prior_rules: Callable[[], list] = field(default=lambda: [])


UK = Configuration(
    name="vigil-uk",
    version=MODEL_VERSION,
    settings=uk_settings,
    training_blocks=lambda: [
        block_on("date_of_birth"),
        block_on("given_name", "family_name"),
    ],
    prior_rules=lambda: [
        block_on("given_name", "family_name", "date_of_birth"),
        block_on("identifier"),
    ],
)

REFERENCE = Configuration(
    name="splink-reference",
    version=REFERENCE_MODEL_VERSION,
    settings=reference_settings,
    training_blocks=lambda: [block_on("date_of_birth"), block_on("given_name", "family_name")],
    prior_rules=lambda: [block_on("given_name", "family_name", "date_of_birth")],
)


# --- training, prediction, clustering ------------------------------------------------------------


@dataclass
class LinkResult:
    person_ids: dict[str, str]  # record_id -> person_id, every record once
    review_pairs: int  # pairs scored between the lower and upper thresholds
    linked_pairs: int  # pairs at or above the upper threshold
    model: dict[str, Any]  # the trained model (Splink settings) with Vigil's version


def _make_linker(
    columns: Mapping[str, Sequence[object]], configuration: Configuration, *, max_iterations: int = 25
) -> Linker:
    db_api = DuckDBAPI()
    table = db_api.register({name: list(values) for name, values in columns.items()}, table_name="persons")
    settings = dataclasses.replace(configuration.settings(), max_iterations=max_iterations)
    return Linker(table, settings, log_level=logging.ERROR)


def train(
    linker: Linker,
    configuration: Configuration,
    *,
    max_pairs: float = DEFAULT_MAX_PAIRS,
    seed: int = 42,
    progress: Progress = _silent,
) -> None:
    """Unsupervised training: the prior from near-certain rules, u by sampling, m by EM."""
    progress("estimating the share of pairs that match")
    try:
        linker.training.estimate_probability_two_random_records_match(configuration.prior_rules(), recall=0.7)
    except (ValueError, ZeroDivisionError):
        progress("  (kept the default prior: the deterministic rules gave no usable estimate)")
    progress("estimating u (chance agreement) by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in configuration.training_blocks():
        progress(f"estimating m by expectation maximisation, blocked on {_describe(rule)}")
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception as exc:  # noqa: BLE001 - a session on too few pairs is skipped, not fatal
            progress(f"  skipped: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")


def _describe(rule: Any) -> str:
    try:
        return rule.get_blocking_rule("duckdb").blocking_rule_sql
    except Exception:  # noqa: BLE001
        return str(rule)


def predict_and_cluster(
    linker: Linker,
    *,
    upper: float = DEFAULT_UPPER,
    lower: float = DEFAULT_LOWER,
    progress: Progress = _silent,
) -> tuple[dict[str, str], int, int]:
    """Score the blocked pairs, and cluster those at or above `upper` into persons."""
    progress("scoring candidate pairs")
    predictions = linker.inference.predict(
        threshold_match_probability=min(lower, upper), warning_mode="never"
    )
    counts = predictions.query_sql(
        f"SELECT count(*) FILTER (WHERE match_probability >= {float(upper)}) AS linked, "
        f"count(*) FILTER (WHERE match_probability < {float(upper)}) AS review FROM {{this}}"
    ).as_record_list()[0]
    linked, review = int(counts["linked"]), int(counts["review"])
    progress(f"  {linked} pairs at or above {upper}, {review} for review between {lower} and {upper}")
    progress("clustering linked pairs into persons")
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=upper
    )
    rows = clusters.query_sql("SELECT unique_id, cluster_id FROM {this}").as_record_list()
    return {str(row["unique_id"]): str(row["cluster_id"]) for row in rows}, linked, review


def person_ids_in_input_order(record_ids: Sequence[str], clusters: Mapping[str, str]) -> dict[str, str]:
    """Stable person ids ("P000001", ...) numbered in order of each person's first record."""
    numbering: dict[str, str] = {}
    result: dict[str, str] = {}
    for record_id in record_ids:
        cluster = clusters.get(record_id, f"singleton:{record_id}")
        if cluster not in numbering:
            numbering[cluster] = f"P{len(numbering) + 1:06d}"
        result[record_id] = numbering[cluster]
    return result


def link(
    columns: Mapping[str, Sequence[object]],
    *,
    configuration: Configuration = UK,
    upper: float = DEFAULT_UPPER,
    lower: float = DEFAULT_LOWER,
    max_pairs: float = DEFAULT_MAX_PAIRS,
    max_iterations: int = 25,
    seed: int = 42,
    progress: Progress = _silent,
) -> LinkResult:
    """A full link of prepared records: train on them, score, cluster."""
    if not 0 < lower <= upper < 1:
        raise ValueError("thresholds must satisfy 0 < lower <= upper < 1")
    record_ids = [str(value) for value in columns["unique_id"]]
    progress(f"{len(record_ids)} records; configuration {configuration.name} ({configuration.version})")
    if len(record_ids) < 2:  # nothing to compare, nothing to train on
        return LinkResult(
            person_ids=person_ids_in_input_order(record_ids, {}),
            review_pairs=0,
            linked_pairs=0,
            model={
                "model_version": configuration.version,
                "configuration": configuration.name,
                "splink_version": splink.__version__,
                "trained_on_records": len(record_ids),
                "splink_settings": None,  # too few records to train on
            },
        )
    linker = _make_linker(columns, configuration, max_iterations=max_iterations)
    train(linker, configuration, max_pairs=max_pairs, seed=seed, progress=progress)
    clusters, linked, review = predict_and_cluster(linker, upper=upper, lower=lower, progress=progress)
    person_ids = person_ids_in_input_order(record_ids, clusters)
    progress(f"{len(set(person_ids.values()))} persons from {len(record_ids)} records")
    return LinkResult(
        person_ids=person_ids,
        review_pairs=review,
        linked_pairs=linked,
        model=model_document(linker, configuration, records=len(record_ids), upper=upper, lower=lower),
    )


# --- the saved model ----------------------------------------------------------------------------


def model_document(
    linker: Linker, configuration: Configuration, *, records: int, upper: float, lower: float
) -> dict[str, Any]:
    """The trained model with its version: Splink's own settings JSON inside Vigil's envelope."""
    return {
        "model_version": configuration.version,
        "configuration": configuration.name,
        "splink_version": splink.__version__,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "trained_on_records": records,
        "thresholds": {"upper": upper, "lower": lower},
        "splink_settings": linker.misc.save_model_to_json(),
    }


def save_model(document: Mapping[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(document, indent=2, default=str), encoding="utf-8")


def load_model_settings(path: str | Path) -> dict[str, Any]:
    """The Splink settings of a saved model, for `Linker(table, settings)`."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return document["splink_settings"]
