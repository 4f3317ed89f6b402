"""The same linkage on Spark (pyspark in local mode) as on DuckDB: same clusters, same model.

Slow (a JVM and a local Spark session); it needs Java 17 or newer and fails, not skips, without
it, so CI cannot pass with the Spark backend untried.
"""

from __future__ import annotations

import logging
import time

import pytest

from tests.linkage.test_matching import synthetic_rows
from vigil.linkage import matching, prepare

pytestmark = pytest.mark.slow

# The same settings for both backends. u_chunks=1: one u-sampling query per comparison instead of
# Splink's ten (a Spark job each); on this file early stopping can never fire, so u is the same.
LINK_OPTIONS = {"max_pairs": 2e5, "max_iterations": 10, "u_chunks": 1}
# Small local session tuned for a short run on two cores.
SPARK_CONF = {"spark.sql.adaptive.enabled": "false", "spark.sql.codegen.wholeStage": "false"}


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    try:
        session = matching.local_spark_session(
            cores=2,
            driver_memory="1g",
            shuffle_partitions=2,
            checkpoint_dir=tmp_path_factory.mktemp("spark-checkpoints"),
            java_options=matching.QUICK_START_JAVA_OPTIONS,
            conf=SPARK_CONF,
        )
    except matching.BackendUnavailable as exc:
        pytest.fail(f"the Spark backend cannot start here: {exc}", pytrace=False)
    yield session
    session.stop()
    # py4j logs its connections closing at exit, after pytest has closed the captured streams.
    logging.getLogger("py4j").setLevel(logging.WARNING)


@pytest.fixture(scope="module")
def both(spark):
    rows, truth = synthetic_rows()
    columns = prepare.prepare_rows(rows)
    started = time.monotonic()
    on_duckdb = matching.link(columns, **LINK_OPTIONS)
    duckdb_seconds = time.monotonic() - started
    started = time.monotonic()
    on_spark = matching.link(columns, backend="spark", spark=spark, **LINK_OPTIONS)
    spark_seconds = time.monotonic() - started
    print(f"\nlink on DuckDB {duckdb_seconds:.1f}s, on Spark {spark_seconds:.1f}s")
    return truth, on_duckdb, on_spark


def _pairs(person_ids: dict[str, str]) -> set[tuple[str, str]]:
    ids = sorted(person_ids)
    return {(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if person_ids[a] == person_ids[b]}


def test_spark_finds_the_same_persons_as_duckdb(both):
    truth, on_duckdb, on_spark = both
    duckdb_pairs, spark_pairs = _pairs(on_duckdb.person_ids), _pairs(on_spark.person_ids)
    assert duckdb_pairs, "the synthetic file should have duplicates"
    overlap = len(duckdb_pairs & spark_pairs)
    f1 = 2 * overlap / (len(duckdb_pairs) + len(spark_pairs))
    assert f1 == 1.0
    # Identical, down to the person ids (numbered in input order) and the pair counts.
    assert on_spark.person_ids == on_duckdb.person_ids
    assert (on_spark.linked_pairs, on_spark.review_pairs) == (on_duckdb.linked_pairs, on_duckdb.review_pairs)
    liz = {on_spark.person_ids[record_id] for record_id, person in truth.items() if person == 100}
    assert len(liz) == 1  # swapped names, nickname, day/month swap: the Spark SQL of every level ran


def _levels(model: dict) -> list[tuple[str, str, list[str]]]:
    return [
        (
            comparison["output_column_name"],
            comparison["comparison_description"],
            [level.get("label_for_charts", "") for level in comparison["comparison_levels"]],
        )
        for comparison in model["splink_settings"]["comparisons"]
    ]


def test_the_saved_model_has_the_same_comparisons(both):
    _truth, on_duckdb, on_spark = both
    assert on_spark.model["model_version"] == on_duckdb.model["model_version"] == matching.MODEL_VERSION
    assert _levels(on_spark.model) == _levels(on_duckdb.model)
    assert on_duckdb.model["splink_settings"]["sql_dialect"] == "duckdb"
    assert on_spark.model["splink_settings"]["sql_dialect"] == "spark"


def test_trained_match_weights_agree(both):
    """m and u as learned on each backend: equal to within floating-point noise on this file."""
    _truth, on_duckdb, on_spark = both
    for duck, spark in zip(
        on_duckdb.model["splink_settings"]["comparisons"],
        on_spark.model["splink_settings"]["comparisons"],
        strict=True,
    ):
        for level_d, level_s in zip(duck["comparison_levels"], spark["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                assert (key in level_d) == (key in level_s), (duck["output_column_name"], key)
                if key in level_d:
                    assert level_s[key] == pytest.approx(level_d[key], rel=1e-6, abs=1e-9), (
                        duck["output_column_name"],
                        level_d.get("label_for_charts"),
                        key,
                    )


def test_backend_names_are_checked():
    with pytest.raises(ValueError, match="unknown linkage backend"):
        matching.link({"unique_id": ["a", "b"]}, backend="oracle")
