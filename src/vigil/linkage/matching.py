"""Person matching with Splink: settings, training, prediction, clustering.

Runs on an in-process DuckDB (the default) or on Spark (`backend="spark"`, pyspark in local mode
or a session the caller passes); the settings, training and clustering code is the same for both,
only Splink's database API differs. pyspark is imported only when the Spark backend is chosen.

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
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
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

BACKENDS = ("duckdb", "spark")
DEFAULT_BACKEND = "duckdb"
# Spark 4 (pyspark 4.1, and the Splink jar built for it) runs on Java 17 or newer.
SPARK_JAVA_MIN = 17

# For small, short Spark jobs (tests, small files): the JVM's quick JIT only and a serial GC start
# and run a local session several times faster on two cores; long runs on big files do better
# without them.
QUICK_START_JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
# Splink's default number of chunks for u sampling (it can stop early once every level has been
# seen 100 times; each chunk is a separate query, cheap on DuckDB, a Spark job each on Spark).
DEFAULT_U_CHUNKS = 10

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
            # Written for DuckDB; Splink translates it (sqlglot) for another backend such as Spark.
            cll.CustomLevel(swapped, label_for_charts="Day and month swapped", base_dialect_str="duckdb"),
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


# Something else a true pair shares, beside a date of birth or a surname sound in a birth year: those
# two blocks alone grow with the square of the records (~19M and ~16M pairs at 1M records, almost all
# strangers). The equi-join stays on the date of birth (surname sound and year); this filter runs before
# any pair is scored (bench/bench_linkage_scale.py measures pairs per rule).
_ALSO_SHARED = (
    "(l.given_phonetic = r.given_phonetic OR array_length(array_intersect(l.given_canonical, r.given_canonical)) > 0 "
    "OR l.postcode_district = r.postcode_district"
)


def uk_blocking_rules() -> list:
    """Which pairs are scored at all: wide enough that swaps and typos still meet."""
    return [
        block_on("given_name", "family_name"),
        CustomRule("l.given_name = r.family_name AND l.family_name = r.given_name"),
        CustomRule(f"l.date_of_birth = r.date_of_birth AND {_ALSO_SHARED} OR l.family_phonetic = r.family_phonetic)",
                   sql_dialect="duckdb"),
        CustomRule(
            f"l.family_phonetic = r.family_phonetic AND l.dob_year = r.dob_year AND {_ALSO_SHARED} "
            "OR substr(l.date_of_birth, 6, 5) = substr(r.date_of_birth, 6, 5) "
            "OR (substr(l.date_of_birth, 6, 2) = substr(r.date_of_birth, 9, 2) "
            "AND substr(l.date_of_birth, 9, 2) = substr(r.date_of_birth, 6, 2)))",
            sql_dialect="duckdb",  # written for DuckDB; Splink translates it for Spark
        ),
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


# --- backends: DuckDB in process, or Spark -------------------------------------------------------


class BackendUnavailable(RuntimeError):
    """The chosen backend cannot run here (pyspark not installed, no suitable Java); says why."""


def check_backend(backend: str) -> str:
    name = (backend or "").strip().lower()
    if name not in BACKENDS:
        raise ValueError(f"unknown linkage backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    return name


def _java_major_version() -> int | None:
    """The major version of the Java that pyspark will start (JAVA_HOME first, then PATH)."""
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else shutil.which("java")
    if not java or not os.path.exists(java):
        return None
    try:
        completed = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', completed.stderr + completed.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major  # "1.8.0" is Java 8


def local_spark_session(
    *,
    cores: int = 2,
    driver_memory: str = "4g",
    shuffle_partitions: int = 4,
    checkpoint_dir: str | Path | None = None,
    app_name: str = "vigil-linkage",
    java_options: str = "",
    conf: Mapping[str, str] | None = None,
):
    """A local-mode SparkSession ready for Splink: its similarity jar on the classpath.

    `local[cores]`, few shuffle partitions (the default 200 is for clusters, and slow here), the UI
    off, and a checkpoint directory (Splink writes intermediate tables there as parquet); a new
    temporary directory unless one is given. Raises BackendUnavailable when pyspark or Java 17+ is
    missing. If a SparkSession already runs in this process, Spark returns that one instead
    (without the jar, unless it was started with it).

    `java_options` go to the driver JVM (e.g. QUICK_START_JAVA_OPTIONS for small, short jobs);
    `conf` is any further Spark configuration.
    """
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location
    except ImportError:
        raise BackendUnavailable(
            "the Spark backend needs pyspark: pip install 'vigil[spark]' (or the test extra)"
        ) from None
    java = _java_major_version()
    if java is None:
        raise BackendUnavailable(
            f"the Spark backend needs Java {SPARK_JAVA_MIN} or newer, and no java was found "
            "(JAVA_HOME or PATH): install openjdk-17-jre-headless"
        )
    if java < SPARK_JAVA_MIN:
        raise BackendUnavailable(
            f"the Spark backend needs Java {SPARK_JAVA_MIN} or newer; found Java {java} "
            "(JAVA_HOME or PATH): install openjdk-17-jre-headless"
        )
    jar = similarity_jar_location()
    builder = (
        SparkSession.builder.master(f"local[{int(cores)}]")
        .appName(app_name)
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", str(int(shuffle_partitions)))
        .config("spark.default.parallelism", str(int(shuffle_partitions)))
        .config("spark.jars", jar)
        .config("spark.driver.extraClassPath", jar)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if java_options:
        builder = builder.config("spark.driver.extraJavaOptions", java_options)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    directory = str(checkpoint_dir) if checkpoint_dir else tempfile.mkdtemp(prefix="vigil-spark-")
    session.sparkContext.setCheckpointDir(directory)
    return session


@contextmanager
def _spark_session_for(spark: Any | None, progress: Progress) -> Iterator[Any]:
    """The caller's session as it is, or a local one made here and stopped afterwards."""
    if spark is not None:
        yield spark
        return
    progress("starting a local Spark session")
    with tempfile.TemporaryDirectory(prefix="vigil-spark-") as checkpoint_dir:
        session = local_spark_session(checkpoint_dir=checkpoint_dir)
        try:
            yield session
        finally:
            session.stop()


def _spark_table(spark: Any, columns: Mapping[str, Sequence[object]]) -> Any:
    """The columns as a Spark DataFrame with declared types.

    Through Arrow, like Splink's own registration on Spark 4, but with a column of nothing but
    nulls (an optional column left blank in the whole file) typed as text rather than as Arrow's
    null type, which Spark's comparisons cannot use.
    """
    import pyarrow as pa

    arrays = {}
    for name, values in columns.items():
        array = pa.array(list(values))
        if pa.types.is_null(array.type):
            array = pa.array(list(values), type=pa.string())
        elif pa.types.is_list(array.type) and pa.types.is_null(array.type.value_type):
            array = pa.array(list(values), type=pa.list_(pa.string()))
        arrays[name] = array
    return spark.createDataFrame(pa.table(arrays))


def _db_api(backend: str, spark: Any | None) -> Any:
    if backend == "spark":
        from splink.backends.spark import SparkAPI

        return SparkAPI(spark_session=spark)
    return DuckDBAPI()


def _make_linker(
    columns: Mapping[str, Sequence[object]],
    configuration: Configuration,
    *,
    max_iterations: int = 25,
    backend: str = DEFAULT_BACKEND,
    spark: Any | None = None,
) -> Linker:
    """A linker on the chosen backend; `spark` (a SparkSession) is needed for "spark"."""
    backend = check_backend(backend)
    if backend == "spark":
        if spark is None:
            raise ValueError("the spark backend needs a SparkSession (see local_spark_session)")
        db_api = _db_api(backend, spark)
        data: Any = _spark_table(spark, columns)
    else:
        db_api = _db_api(backend, None)
        data = {name: list(values) for name, values in columns.items()}
    table = db_api.register(data, table_name="persons")
    settings = dataclasses.replace(configuration.settings(), max_iterations=max_iterations)
    return Linker(table, settings, log_level=logging.ERROR)


def train(
    linker: Linker,
    configuration: Configuration,
    *,
    max_pairs: float = DEFAULT_MAX_PAIRS,
    seed: int = 42,
    progress: Progress = _silent,
    u_chunks: int = DEFAULT_U_CHUNKS,
) -> None:
    """Unsupervised training: the prior from near-certain rules, u by sampling, m by EM."""
    progress("estimating the share of pairs that match")
    try:
        linker.training.estimate_probability_two_random_records_match(configuration.prior_rules(), recall=0.7)
    except (ValueError, ZeroDivisionError):
        progress("  (kept the default prior: the deterministic rules gave no usable estimate)")
    progress("estimating u (chance agreement) by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed, num_chunks=u_chunks)
    for rule in configuration.training_blocks():
        progress(f"estimating m by expectation maximisation, blocked on {_describe(rule)}")
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except Exception as exc:  # noqa: BLE001 - a session on too few pairs is skipped, not fatal
            progress(f"  skipped: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")


def trained_linker(
    columns: Mapping[str, Sequence[object]],
    configuration: Configuration = UK,
    *,
    max_pairs: float = DEFAULT_MAX_PAIRS,
    max_iterations: int = 25,
    seed: int = 42,
    progress: Progress = _silent,
    backend: str = DEFAULT_BACKEND,
    spark: Any | None = None,
    u_chunks: int = DEFAULT_U_CHUNKS,
) -> Linker:
    """A linker on prepared records, trained on them without labels (what `link` and the re-link share)."""
    linker = _make_linker(columns, configuration, max_iterations=max_iterations, backend=backend, spark=spark)
    train(linker, configuration, max_pairs=max_pairs, seed=seed, progress=progress, u_chunks=u_chunks)
    return linker


def scored_pairs(linker: Linker, *, lower: float) -> list[tuple[str, str, float]]:
    """Every blocked pair scored at or above `lower`: (record id, record id, match probability)."""
    predictions = linker.inference.predict(threshold_match_probability=lower, warning_mode="never")
    rows = predictions.query_sql("SELECT unique_id_l, unique_id_r, match_probability FROM {this}").as_record_list()
    return [(str(r["unique_id_l"]), str(r["unique_id_r"]), float(r["match_probability"])) for r in rows]


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
    backend: str = DEFAULT_BACKEND,
    spark: Any | None = None,
    u_chunks: int = DEFAULT_U_CHUNKS,
) -> LinkResult:
    """A full link of prepared records: train on them, score, cluster.

    `backend` is "duckdb" (in process, the default) or "spark": on the SparkSession `spark` if
    given (left running), else on a local one started here (see `local_spark_session`) and
    stopped before returning.
    """
    if not 0 < lower <= upper < 1:
        raise ValueError("thresholds must satisfy 0 < lower <= upper < 1")
    backend = check_backend(backend)
    record_ids = [str(value) for value in columns["unique_id"]]
    progress(
        f"{len(record_ids)} records; configuration {configuration.name} ({configuration.version}); "
        f"backend {backend}"
    )
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
    if backend == "spark":
        with _spark_session_for(spark, progress) as session:
            return _train_and_link(
                columns, record_ids, configuration, upper=upper, lower=lower, max_pairs=max_pairs,
                max_iterations=max_iterations, seed=seed, progress=progress, backend=backend,
                spark=session, u_chunks=u_chunks,
            )  # fmt: skip
    return _train_and_link(
        columns, record_ids, configuration, upper=upper, lower=lower, max_pairs=max_pairs,
        max_iterations=max_iterations, seed=seed, progress=progress, backend=backend, spark=None,
        u_chunks=u_chunks,
    )  # fmt: skip


def _train_and_link(
    columns: Mapping[str, Sequence[object]],
    record_ids: list[str],
    configuration: Configuration,
    *,
    upper: float,
    lower: float,
    max_pairs: float,
    max_iterations: int,
    seed: int,
    progress: Progress,
    backend: str,
    spark: Any | None,
    u_chunks: int,
) -> LinkResult:
    linker = trained_linker(columns, configuration, max_pairs=max_pairs, max_iterations=max_iterations, seed=seed,
                            progress=progress, backend=backend, spark=spark, u_chunks=u_chunks)
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
