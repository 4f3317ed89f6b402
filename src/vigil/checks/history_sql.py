"""The control-room history in one SQL statement (docs/adr/0002-history-in-sql.md).

The history is read while a caller is on the line, so it is written as one hand-tuned statement: every
part an index look-up, one round trip, JSON out. Built through the ORM it took six queries whose
compilation alone cost about 12 ms a look-up, 20 to 30 times the statement's own time
(bench/bench_history.py). The rules it implements are the ones `tests/checks/test_call_history.py`
states; the selector (`selectors.call_history`) turns its answer into the dataclasses the pages use.

On PostgreSQL the statement is prepared once per connection with a generic plan (planning it costs
more than running it): Django's own cursors bind client-side and are never prepared, so only this
statement is (settings: prepare_threshold, plan_cache_mode).
"""

import json
import sqlite3
import time
from datetime import UTC, date, datetime
from functools import cache, partial
from typing import Any

from django.db import connection

# Parameters: key (address key or NULL), e164 (or NULL), excl (incident id left out, 0 for none),
# since/now (the 12-month window), today and year_ago (dates), refuge (1: refuge markers may be shown),
# given (JSON [[person_id, is_victim_on_this_call], ...]: the people named on the call, in order),
# recent_limit and people_limit.
DIALECT = {
    "sqlite": dict(
        arr="json_array", agg="json_group_array", roles="group_concat(DISTINCT role)",
        given="SELECT CAST(json_extract(value, '$[0]') AS INTEGER) AS person_id, CAST(key AS INTEGER) AS ord, "
              "json_extract(value, '$[1]') AS is_victim FROM json_each(:given)",
    ),
    "postgresql": dict(
        arr="json_build_array", agg="json_agg", roles="string_agg(DISTINCT role, ',')",
        given="SELECT CAST(e->>0 AS bigint) AS person_id, ord, CAST(e->>1 AS int) AS is_victim "
              "FROM json_array_elements(CAST(:given AS json)) WITH ORDINALITY AS t(e, ord)",
    ),
}

PLACE_CTES = """
addr AS (SELECT id FROM people_address WHERE address_key = :key),
ph AS (SELECT id FROM people_phone WHERE e164 = :e164),
hits AS MATERIALIZED (  -- a UNION of two index look-ups: an OR of the two would scan the incidents
    SELECT i.id, i.public_id, i.reference, i.received_at, i.is_domestic_abuse,
           COALESCE(i.address_id IN (SELECT id FROM addr), false) AS at_address,
           COALESCE(i.caller_phone_id = (SELECT id FROM ph), false) AS from_phone
    FROM incidents_incident i
    WHERE i.address_id IN (SELECT id FROM addr) AND i.id <> :excl
    UNION
    SELECT i.id, i.public_id, i.reference, i.received_at, i.is_domestic_abuse,
           COALESCE(i.address_id IN (SELECT id FROM addr), false), true
    FROM incidents_incident i
    WHERE i.caller_phone_id = (SELECT id FROM ph) AND i.id <> :excl
),
recent AS MATERIALIZED (SELECT * FROM hits ORDER BY received_at DESC, id DESC LIMIT :recent_limit),
inv AS MATERIALIZED (  -- IN, not a join from recent: SQLite would otherwise scan the person records
    SELECT pr.person_id, v.role, (SELECT r.received_at FROM recent r WHERE r.id = v.incident_id) AS received_at
    FROM incidents_involvement v
    JOIN people_personrecord pr ON pr.id = v.person_record_id
    WHERE v.incident_id IN (SELECT id FROM recent) AND pr.person_id IS NOT NULL
),
given AS MATERIALIZED ({given}),
cand AS (
    SELECT person_id, 0 AS grp, ord AS pos, NULL AS last_at FROM given
    UNION ALL
    SELECT person_id, 1, 0, MAX(received_at) FROM inv
    WHERE person_id NOT IN (SELECT person_id FROM given) GROUP BY person_id
),
people AS MATERIALIZED (
    SELECT person_id, ROW_NUMBER() OVER (ORDER BY grp, pos, last_at DESC, person_id) AS ord
    FROM cand ORDER BY grp, pos, last_at DESC, person_id LIMIT :people_limit
)"""

MARKER_IN_FORCE = ("m.starts_on <= :today AND (m.ends_on IS NULL OR m.ends_on >= :today) "
                   "AND (:refuge = 1 OR m.kind <> 'refuge')")

PLACE_COLUMNS = """
    (SELECT COUNT(*) FROM hits WHERE at_address),
    (SELECT COUNT(*) FROM hits WHERE at_address AND received_at >= :since),
    (SELECT COUNT(*) FROM hits WHERE from_phone),
    (SELECT COUNT(*) FROM hits WHERE from_phone AND received_at >= :since),
    (SELECT {agg}({arr}(public_id, reference, received_at, is_domestic_abuse, at_address, from_phone))
       FROM (SELECT * FROM recent ORDER BY received_at DESC, id DESC) AS q),
    (SELECT {agg}({arr}(kind, place, starts_on, ends_on, note)) FROM (
        SELECT m.kind, 'address' AS place, m.starts_on, m.ends_on, m.note FROM people_warningmarker m
         WHERE m.address_id IN (SELECT id FROM addr) AND """ + MARKER_IN_FORCE + """
        UNION ALL
        SELECT m.kind, 'number', m.starts_on, m.ends_on, m.note FROM people_warningmarker m
         WHERE m.phone_id = (SELECT id FROM ph) AND """ + MARKER_IN_FORCE + """) AS pm)"""

# One row per person: every fact the history shows, each a correlated index look-up.
PERSON_COLUMNS = """
    pe.person_id, p.public_id, p.restricted,
    (SELECT {arr}(r.given_name, r.family_name, r.date_of_birth) FROM people_personrecord r
      WHERE r.person_id = pe.person_id ORDER BY r.recorded_at DESC, r.id DESC LIMIT 1) AS latest,
    (SELECT {roles} FROM inv WHERE inv.person_id = pe.person_id) AS roles,
    (SELECT {agg}({arr}(kind, starts_on, ends_on, note)) FROM people_warningmarker m
      WHERE m.person_id = pe.person_id AND """ + MARKER_IN_FORCE + """) AS markers,
    (SELECT MAX(m.starts_on) FROM people_warningmarker m
      WHERE m.person_id = pe.person_id AND m.kind = 'marac' AND m.starts_on BETWEEN :year_ago AND :today)
      AS marac_12m,
    (SELECT {arr}(ra.grade, ra.assessed_at) FROM risk_riskassessment ra JOIN people_personrecord r
        ON r.id = ra.victim_id
      WHERE r.person_id = pe.person_id AND ra.grade <> '' ORDER BY ra.assessed_at DESC, ra.id DESC LIMIT 1)
      AS grading,  -- graded assessments only: one being completed has no grade yet
    (SELECT COUNT(DISTINCT v.incident_id) FROM people_personrecord r
       JOIN incidents_involvement v ON v.person_record_id = r.id AND v.role = 'victim'
       JOIN incidents_incident i ON i.id = v.incident_id
      WHERE r.person_id = pe.person_id AND i.received_at >= :since AND i.received_at <= :now
        AND i.id <> :excl) AS victim_calls_12m,
    (SELECT {arr}(COUNT(DISTINCT vr.person_id),
                  COUNT(DISTINCT CASE WHEN vr.person_id NOT IN (SELECT person_id FROM given WHERE is_victim = 1)
                                      THEN vr.person_id END))
       FROM people_personrecord sr
       JOIN incidents_involvement s ON s.person_record_id = sr.id AND s.role = 'suspect'
       JOIN incidents_involvement v ON v.incident_id = s.incident_id AND v.role = 'victim'
       JOIN people_personrecord vr ON vr.id = v.person_record_id
      WHERE sr.person_id = pe.person_id AND vr.person_id <> pe.person_id) AS victims,
    (SELECT sc.code_word FROM people_safecontact sc WHERE sc.person_id = pe.person_id AND sc.code_word <> '')
      AS code_word,
    (SELECT {agg}({arr}(q.public_id, q.risk_level, q.opened_at, q.owner, q.team)) FROM (
        SELECT c.public_id, c.risk_level, c.opened_at, t.name AS team,
               COALESCE(NULLIF(TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')), ''),
                        u.username, '') AS owner
          FROM cases_safeguardingcase c JOIN people_personrecord r ON r.id = c.victim_id
          LEFT JOIN accounts_user u ON u.id = c.owner_id AND u.is_active
          LEFT JOIN accounts_team t ON t.id = c.owning_team_id
         WHERE r.person_id = pe.person_id AND c.closed_at IS NULL ORDER BY c.opened_at DESC) AS q) AS open_cases
  FROM people pe JOIN people_person p ON p.id = pe.person_id"""

STATEMENT = "WITH " + PLACE_CTES + """
SELECT """ + PLACE_COLUMNS + """,
    (SELECT {agg}({arr}(person_id, public_id, restricted, latest, roles, markers, marac_12m, grading,
                        victim_calls_12m, victims, code_word, open_cases))
       FROM (SELECT """ + PERSON_COLUMNS + """ ORDER BY pe.ord) AS facts)"""

NAMES = ("key", "e164", "excl", "since", "now", "today", "year_ago", "refuge", "given", "recent_limit",
         "people_limit")


@cache
def statement_for(vendor: str) -> str:
    text = STATEMENT.format(**DIALECT[vendor])
    if vendor == "postgresql":
        for name in NAMES:
            text = text.replace(f":{name}", f"%({name})s")
    elif sqlite3.sqlite_version_info < (3, 35, 0):
        text = text.replace(" MATERIALIZED", "")  # the hint arrived in SQLite 3.35; the answer is the same
    return text


def nested_json(value):
    """A nested JSON value: SQLite hands a nested array through a subquery as text."""
    return json.loads(value) if isinstance(value, str) else value


def as_datetime(value) -> datetime | None:
    """A timestamp as either database writes it inside JSON: ISO with an offset, or SQLite's UTC text."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def as_date(value) -> date | None:
    return None if value is None else date.fromisoformat(str(value)[:10])


def history_answer(*, key: str, e164: str, exclude_id: int, since: datetime, now: datetime, today: date,
                   year_ago: date, show_refuge: bool, given: list[tuple[int, bool]], recent_limit: int,
                   people_limit: int) -> dict[str, Any]:
    """Run the statement; answer {counts, recent, place_markers, people} in plain Python values."""
    vendor = connection.vendor
    params: dict[str, Any] = {
        "key": key or None, "e164": e164 or None, "excl": exclude_id, "since": since, "now": now,
        "today": today, "year_ago": year_ago, "refuge": int(show_refuge),
        "given": json.dumps([[pid, int(is_victim)] for pid, is_victim in given]),
        "recent_limit": recent_limit, "people_limit": people_limit,
    }
    if vendor == "sqlite":  # as Django writes them on SQLite: UTC text and ISO dates
        for name in ("since", "now"):
            params[name] = str(params[name].astimezone(UTC).replace(tzinfo=None))
        for name in ("today", "year_ago"):
            params[name] = params[name].isoformat()
    row = _fetch(statement_for(vendor), params)
    address_all, address_12m, phone_all, phone_12m, recent, place_markers, people = row
    return {"counts": (address_all, address_12m, phone_all, phone_12m), "recent": nested_json(recent) or [],
            "place_markers": nested_json(place_markers) or [], "people": nested_json(people) or []}


def _fetch(sql: str, params: dict[str, Any]):
    """Run on the database connection itself (Django's cursors cannot prepare), logged like Django's own
    queries when query logging is on (DEBUG, or a test capturing queries)."""
    connection.ensure_connection()
    raw = connection.connection
    started = time.monotonic()
    if connection.vendor == "postgresql":
        import psycopg

        cursor = psycopg.Cursor(raw)  # server-side binding, so that the statement can be prepared
        execute = partial(cursor.execute, sql, params, prepare=True)
    else:
        cursor = raw.cursor()
        execute = partial(cursor.execute, sql, params)
    try:
        execute()
        return cursor.fetchone()
    finally:
        cursor.close()
        if connection.queries_logged:
            connection.queries_log.append({"sql": "-- vigil.checks.history_sql\n" + sql,
                                           "time": f"{time.monotonic() - started:.3f}"})
