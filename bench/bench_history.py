"""Benchmark of the control-room history look-up (issue 4), a script, not a test.

    python bench/bench_history.py [--lookups 300] [--rounds 3] [--explain] [--api-port 8765]
                                  [--skip-postgres] [--skip-sqlite]

For each database, in a child process of its own (Django settings are per process):
  * PostgreSQL `vigil_bench_history` (created and migrated if missing; loaded with
    `vigil demo --profile leicestershire-2013 --seed 1 --scale 2`, 1.8M incidents, when it holds fewer
    than 1,000,000 incidents) and SQLite `var/bench/history.sqlite3` (scale 1, 900,000 incidents).
    An existing load is reused, and the output says so.
  * Once per database, idempotently: warning markers (5 % of persons and addresses, 2 % of phones),
    safe-contact code words (2 % of persons), 0.5 % of persons restricted, owners on two thirds of the
    open safeguarding cases (two bench users), so that every branch of `call_history` runs.
  * A seeded sample of look-ups in equal parts by phone, by address (the busiest addresses included)
    and by person (persons with three or more records).
  * Per look-up: `vigil.checks.selectors.call_history` in-process with audit=True (as in production)
    and audit=False; the same answer from hand-written SQL on the raw DB-API connection (variants
    below; the fastest is the baseline), verified equal to the selector's answer for every look-up
    (the run fails loudly otherwise); and, when the `api:history` endpoint exists, GET
    /api/v1/history/ over HTTP against gunicorn (2 workers).
The clock of every in-process look-up is the end of the demo's force year (2013-09-01 00:00 London), so
the 12-month counts and markers are live; the API uses the real clock (its 12-month counts are 0).
Prints p50/p95/max, the ratios selector/hand SQL, PASS/FAIL against the goals and the command line.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import shlex
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/vigil_bench_history"
SQLITE_PATH = ROOT / "var" / "bench" / "history.sqlite3"
PROFILE = "leicestershire-2013"
ENRICH_NOTE = "bench-history enrichment"
NOW = datetime(2013, 9, 1, tzinfo=ZoneInfo("Europe/London"))
GOAL_IN_PROCESS_MS, GOAL_API_MS, GOAL_RATIO = 25.0, 60.0, 5.0
MARKER_KINDS = ("violence", "high_risk_victim", "marac", "bail_conditions", "protective_order")

# ---------------------------------------------------------------------------------------------------
# The hand-written SQL. One template for both databases; the dialect fills in the few differences.
# vigil.checks.history_sql grew out of this statement (docs/adr/0002-history-in-sql.md); this copy stays
# independent on purpose, as the baseline and as a second implementation the selector is checked against.
# Parameters: key (address_key or NULL), e164 (or NULL), excl (incident id left out, 0 for none),
# since/now (the 12-month window), today, year_ago (dates), refuge (1: refuge markers may be shown),
# given (JSON [[person_id, is_victim_now], ...]: the people named on the call, in order).
# ---------------------------------------------------------------------------------------------------
DIALECT = {
    "sqlite": dict(
        arr="json_array", agg="json_group_array", roles="group_concat(DISTINCT role)",
        given="SELECT CAST(json_extract(value, '$[0]') AS INTEGER) AS person_id, CAST(key AS INTEGER) AS ord, "
              "json_extract(value, '$[1]') AS is_victim FROM json_each(:given)",
        people_in="SELECT CAST(value AS INTEGER) AS person_id, CAST(key AS INTEGER) AS ord FROM json_each(:people)",
        true="1",
    ),
    "postgresql": dict(
        arr="json_build_array", agg="json_agg", roles="string_agg(DISTINCT role, ',')",
        given="SELECT CAST(e->>0 AS bigint) AS person_id, ord, CAST(e->>1 AS int) AS is_victim "
              "FROM json_array_elements(CAST(:given AS json)) WITH ORDINALITY AS t(e, ord)",
        people_in="SELECT CAST(e AS bigint) AS person_id, ord "
                  "FROM json_array_elements_text(CAST(:people AS json)) WITH ORDINALITY AS t(e, ord)",
        true="true",
    ),
}

PLACE_CTES = """
addr AS (SELECT id FROM people_address WHERE address_key = :key),
ph AS (SELECT id FROM people_phone WHERE e164 = :e164),
hits AS MATERIALIZED (
    SELECT i.id, i.public_id, i.received_at,
           COALESCE(i.address_id IN (SELECT id FROM addr), false) AS at_address,
           COALESCE(i.caller_phone_id = (SELECT id FROM ph), false) AS from_phone
    FROM incidents_incident i
    WHERE i.address_id IN (SELECT id FROM addr) AND i.id <> :excl
    UNION
    SELECT i.id, i.public_id, i.received_at,
           COALESCE(i.address_id IN (SELECT id FROM addr), false),
           true
    FROM incidents_incident i
    WHERE i.caller_phone_id = (SELECT id FROM ph) AND i.id <> :excl
),
recent AS MATERIALIZED (SELECT * FROM hits ORDER BY received_at DESC, id DESC LIMIT 20),
inv AS MATERIALIZED (  -- written as IN, not a join from recent: SQLite would build a Bloom filter on the
                      -- person records (a full scan of the table) for the join
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
    FROM cand ORDER BY grp, pos, last_at DESC, person_id LIMIT 40
)"""

PLACE_COLUMNS = """
    (SELECT COUNT(*) FROM hits WHERE at_address),
    (SELECT COUNT(*) FROM hits WHERE at_address AND received_at >= :since),
    (SELECT COUNT(*) FROM hits WHERE from_phone),
    (SELECT COUNT(*) FROM hits WHERE from_phone AND received_at >= :since),
    (SELECT {agg}({arr}(public_id, at_address, from_phone))
       FROM (SELECT * FROM recent ORDER BY received_at DESC, id DESC) AS q),
    (SELECT {agg}({arr}(kind, starts_on, ends_on, note)) FROM (  -- two index look-ups, not an OR (a seq scan)
        SELECT m.kind, m.starts_on, m.ends_on, m.note FROM people_warningmarker m
         WHERE m.address_id IN (SELECT id FROM addr) AND m.starts_on <= :today
           AND (m.ends_on IS NULL OR m.ends_on >= :today) AND (:refuge = 1 OR m.kind <> 'refuge')
        UNION ALL
        SELECT m.kind, m.starts_on, m.ends_on, m.note FROM people_warningmarker m
         WHERE m.phone_id = (SELECT id FROM ph) AND m.starts_on <= :today
           AND (m.ends_on IS NULL OR m.ends_on >= :today) AND (:refuge = 1 OR m.kind <> 'refuge')) AS pm)"""

# One row per person: the facts call_history shows. Correlated subqueries, each an index look-up.
PERSON_COLUMNS = """
    pe.person_id, pe.ord, p.public_id, p.restricted,
    (SELECT {arr}(r.given_name, r.family_name, r.date_of_birth) FROM people_personrecord r
      WHERE r.person_id = pe.person_id ORDER BY r.recorded_at DESC, r.id DESC LIMIT 1) AS latest,
    {roles_column} AS roles,
    (SELECT {agg}({arr}(kind, starts_on, ends_on, note)) FROM people_warningmarker m
      WHERE m.person_id = pe.person_id AND m.starts_on <= :today
        AND (m.ends_on IS NULL OR m.ends_on >= :today) AND (:refuge = 1 OR m.kind <> 'refuge')) AS markers,
    (SELECT MAX(m.starts_on) FROM people_warningmarker m
      WHERE m.person_id = pe.person_id AND m.kind = 'marac' AND m.starts_on BETWEEN :year_ago AND :today)
      AS marac_12m,
    (SELECT ra.grade FROM risk_riskassessment ra JOIN people_personrecord r ON r.id = ra.victim_id
      WHERE r.person_id = pe.person_id AND ra.grade <> '' ORDER BY ra.assessed_at DESC LIMIT 1) AS latest_grade,
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
    (SELECT {agg}({arr}(q.public_id, q.risk_level, q.owner, q.team)) FROM (
        SELECT c.public_id, c.risk_level, t.name AS team,
               COALESCE(NULLIF(TRIM(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, '')), ''),
                        u.username, '') AS owner
          FROM cases_safeguardingcase c JOIN people_personrecord r ON r.id = c.victim_id
          LEFT JOIN accounts_user u ON u.id = c.owner_id LEFT JOIN accounts_team t ON t.id = c.owning_team_id
         WHERE r.person_id = pe.person_id AND c.closed_at IS NULL ORDER BY c.opened_at DESC) AS q) AS open_cases
  FROM people pe JOIN people_person p ON p.id = pe.person_id"""

# Variant "one statement": everything in one round trip, the people as a JSON array.
ONE_STATEMENT = "WITH " + PLACE_CTES + """
SELECT """ + PLACE_COLUMNS + """,
    (SELECT {agg}({arr}(person_id, ord, public_id, restricted, latest, roles, markers, marac_12m, latest_grade,
                        victim_calls_12m, victims, code_word, open_cases))
       FROM (SELECT """ + PERSON_COLUMNS + """) AS facts)"""

# Variant "two statements": the place (counts, incidents, people to show), then one row per person.
TWO_PLACE = "WITH " + PLACE_CTES + """
SELECT """ + PLACE_COLUMNS + """,
    (SELECT {agg}({arr}(person_id, roles)) FROM
       (SELECT pe.person_id, {roles_column} AS roles FROM people pe ORDER BY pe.ord) AS q)"""
TWO_PEOPLE = """WITH given AS MATERIALIZED ({given}), people AS MATERIALIZED ({people_in})
SELECT """ + PERSON_COLUMNS.replace("{roles_column}", "NULL") + " ORDER BY pe.ord"

ROLES_FROM_INV = "(SELECT {roles} FROM inv WHERE inv.person_id = pe.person_id)"


def sql_for(template: str, vendor: str) -> str:
    d = DIALECT[vendor]
    text = template.replace("{roles_column}", ROLES_FROM_INV).format(**d)
    if vendor == "postgresql":
        for name in ("key", "e164", "excl", "since", "now", "today", "year_ago", "refuge", "given", "people"):
            text = text.replace(f":{name}", f"%({name})s")
    return text


# ---------------------------------------------------------------------------------------------------
# The parent: print the command, run one child per database.
# ---------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=300, help="look-ups sampled (thirds: phone, address, person)")
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over the sample")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="print query plans of the hand SQL and selector")
    parser.add_argument("--api-port", type=int, default=8765)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--child", choices=("postgresql", "sqlite"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return
    print(f"command: {shlex.join([Path(sys.executable).name, *sys.argv])}")
    print(f"machine: {os.cpu_count()} cores; profile {PROFILE}, seed 1; look-ups {args.lookups}, rounds {args.rounds}, "
          f"sample seed {args.seed}; goals: p95 < {GOAL_IN_PROCESS_MS:.0f} ms in-process, < {GOAL_API_MS:.0f} ms "
          f"through the API, selector/hand SQL <= {GOAL_RATIO:.0f}x", flush=True)
    failed = False
    targets = []
    if not args.skip_postgres:
        targets.append(("postgresql", POSTGRES_URL))
    if not args.skip_sqlite:
        targets.append(("sqlite", f"sqlite:///{SQLITE_PATH}"))
    for vendor, url in targets:
        if vendor == "postgresql":
            ensure_postgres_database()
        else:
            SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "DATABASE_URL": url, "VIGIL_DEMO_MODE": "1", "DJANGO_SETTINGS_MODULE": "vigil.settings"}
        argv = [sys.executable, __file__, "--child", vendor, *sys.argv[1:]]
        code = subprocess.run(argv, env=env, cwd=ROOT).returncode
        failed = failed or code != 0
    sys.exit(1 if failed else 0)


def ensure_postgres_database() -> None:
    exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                             "SELECT 1 FROM pg_database WHERE datname = 'vigil_bench_history'"],
                            check=True, capture_output=True, text=True).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "vigil_bench_history"], check=True)
        print("created database vigil_bench_history")


# ---------------------------------------------------------------------------------------------------
# The child: one database.
# ---------------------------------------------------------------------------------------------------

def child_main(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from vigil.incidents.models import Incident

    vendor = connection.vendor
    print(f"\n=== {vendor}: {connection.settings_dict['NAME']} ===", flush=True)
    call_command("migrate", verbosity=0)
    incidents = Incident.objects.count()
    scale, wanted = ("2", 1_000_000) if vendor == "postgresql" else ("1", 900_000)
    loaded = False
    if incidents < wanted:
        command = [str(VENV_BIN / "vigil"), "demo", "--skip-checks", "--profile", PROFILE, "--seed", "1",
                   "--scale", scale]
        print(f"data: {incidents:,} incidents, fewer than {wanted:,}: loading: {shlex.join(command)}", flush=True)
        started = time.perf_counter()
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()
        print(f"data: {out} (wall {time.perf_counter() - started:.0f} s)", flush=True)
        incidents, loaded = Incident.objects.count(), True
    else:
        print(f"data: reusing the existing load: {incidents:,} incidents", flush=True)
    enriched = enrich()
    if loaded or enriched:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vendor == "postgresql" else "ANALYZE")
        print(f"data: {'VACUUM ANALYZE' if vendor == 'postgresql' else 'ANALYZE'} after loading "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
    viewer, api_user = bench_users()
    lookups = sample(args.lookups, args.seed)
    hand = HandSql(connection, vendor, show_refuge=viewer.has_perm("people.view_refuge_address"))
    verify(lookups, viewer, hand)
    counts = query_counts(lookups, viewer, hand)
    results = measure(lookups, viewer, hand, args.rounds, args.seed)
    api = measure_api(lookups, api_user, args)
    ok = report(vendor, lookups, results, api, counts, hand)
    if args.explain:
        explain(lookups, viewer, hand)
    if not ok:
        sys.exit(2)


def enrich() -> bool:
    """Markers, code words, restricted persons and case owners, once per database. True if added now."""
    from django.db import transaction

    from vigil.accounts.models import Team, User
    from vigil.cases.models import SafeguardingCase
    from vigil.people.models import Address, Person, Phone, SafeContact, WarningMarker

    if WarningMarker.objects.filter(note=ENRICH_NOTE).exists():
        print(f"enrichment: reusing markers, code words and case owners added earlier (note '{ENRICH_NOTE}')")
        return False
    started = time.perf_counter()
    rng = random.Random("bench-history")
    today = NOW.date()

    def markers(field: str, ids: list[int], share: float) -> list:
        made = []
        for n, subject_id in enumerate(sorted(rng.sample(ids, round(len(ids) * share)))):
            starts = today - timedelta(days=rng.randint(0, 3 * 365))
            ends = None if rng.random() < 0.4 else starts + timedelta(days=rng.randint(30, 2 * 365))
            made.append(WarningMarker(kind=MARKER_KINDS[n % len(MARKER_KINDS)], starts_on=starts, ends_on=ends,
                                      note=ENRICH_NOTE, **{field: subject_id}))
        return made

    with transaction.atomic():
        person_ids = list(Person.objects.order_by("id").values_list("id", flat=True))
        address_ids = list(Address.objects.order_by("id").values_list("id", flat=True))
        phone_ids = list(Phone.objects.order_by("id").values_list("id", flat=True))
        made = (markers("person_id", person_ids, 0.05) + markers("address_id", address_ids, 0.05)
                + markers("phone_id", phone_ids, 0.02))
        WarningMarker.objects.bulk_create(made, batch_size=5000)
        SafeContact.objects.bulk_create(
            [SafeContact(person_id=pid, code_word=f"bench-word-{n}", safe_times="weekdays 10:00 to 14:00",
                         updated_at=NOW) for n, pid in enumerate(sorted(rng.sample(person_ids,
                                                                                  len(person_ids) // 50)))],
            batch_size=5000, ignore_conflicts=True)
        restricted = sorted(rng.sample(person_ids, len(person_ids) // 200))
        Person.objects.filter(id__in=restricted).update(restricted=True)
        team = Team.objects.order_by("id").first()
        owners = [
            User.objects.get_or_create(username="bench-owner-named", defaults={
                "role": "specialist_investigator", "first_name": "Alex", "last_name": "Bench"})[0],
            User.objects.get_or_create(username="bench-owner-unnamed", defaults={"role": "neighbourhood_officer"})[0],
        ]
        open_cases = list(SafeguardingCase.objects.filter(closed_at__isnull=True).order_by("id")
                          .values_list("id", flat=True))
        for n, case_id in enumerate(open_cases):
            if n % 3:
                SafeguardingCase.objects.filter(id=case_id).update(
                    owner=owners[n % 2], owning_team=team if n % 2 else None)
    print(f"enrichment: added {len(made):,} warning markers (5 % of persons and addresses, 2 % of phones), "
          f"{len(person_ids) // 50:,} safe-contact code words, {len(restricted):,} restricted persons, owners on "
          f"{sum(1 for n in range(len(open_cases)) if n % 3):,} of {len(open_cases):,} open cases "
          f"({time.perf_counter() - started:.1f} s)", flush=True)
    return True


def bench_users():
    from vigil.accounts.demo_users import demo_username, demo_users_ensure
    from vigil.accounts.models import User

    if not User.objects.filter(username=demo_username("call_taker")).exists():
        demo_users_ensure()
    return (User.objects.get(username=demo_username("call_taker")),
            User.objects.get(username=demo_username("control_system")))


class Lookup:
    def __init__(self, kind: str, label: str, kwargs: dict, query: dict, size: int = 0):
        self.kind, self.label, self.kwargs, self.query, self.size = kind, label, kwargs, query, size


def sample(n: int, seed: int) -> list[Lookup]:
    from django.db.models import Count

    from vigil.incidents.models import Incident
    from vigil.people.models import Address, Person, PersonRecord, Phone
    from vigil.people.normalise import address_key

    rng = random.Random(seed)
    third = n // 3
    started = time.perf_counter()
    phone_ids = sorted(Incident.objects.filter(caller_phone__isnull=False)
                       .values_list("caller_phone_id", flat=True).distinct())
    phones = dict(Phone.objects.filter(id__in=rng.sample(phone_ids, third)).values_list("id", "e164"))
    lookups = [Lookup("phone", e164, {"phone": e164}, {"phone": e164}) for _, e164 in sorted(phones.items())]

    per_key = list(Incident.objects.filter(address__isnull=False).values("address__address_key")
                   .annotate(n=Count("id")).order_by("-n", "address__address_key")
                   .values_list("address__address_key", "n"))
    busiest = per_key[:max(third // 10, 1)]
    rest = rng.sample(per_key[len(busiest):], n - 2 * third - len(busiest))
    wrong_keys = 0
    for key, size in busiest + rest:
        address = Address.objects.filter(address_key=key).order_by("id").first()
        if address_key(line1=address.line1, postcode=address.postcode) != key:
            wrong_keys += 1
            continue
        lookups.append(Lookup("address", f"{address.line1}, {address.postcode}",
                              {"line1": address.line1, "postcode": address.postcode},
                              {"line1": address.line1, "postcode": address.postcode}, size))

    several = sorted(PersonRecord.objects.filter(person__isnull=False).values("person_id")
                     .annotate(n=Count("id")).filter(n__gte=3).values_list("person_id", flat=True))
    chosen = rng.sample(several, third)
    public = dict(Person.objects.filter(id__in=chosen).values_list("id", "public_id"))
    lookups += [Lookup("person", str(public[pid]), {"persons": {pid: {"victim"}}}, {"person": str(public[pid])})
                for pid in chosen]
    address_sizes = [lk.size for lk in lookups if lk.kind == "address"]
    print(f"sample: {len(lookups)} look-ups ({sum(lk.kind == 'phone' for lk in lookups)} by phone out of "
          f"{len(phone_ids):,} phones with incidents; {len(address_sizes)} by address out of {len(per_key):,} "
          f"address keys with incidents, the {len(busiest)} busiest included; "
          f"{sum(lk.kind == 'person' for lk in lookups)} by person out of {len(several):,} persons with 3+ records) "
          f"in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"sample: incidents at one address key: max {max(address_sizes)} in the sample (busiest in the "
          f"database {per_key[0][1]}), median {statistics.median(address_sizes):.0f}"
          + (f"; {wrong_keys} keys skipped (line1+postcode did not give the key back)" if wrong_keys else ""))
    return lookups


def run_selector(lookup: Lookup, viewer, audit: bool):
    from vigil.checks.selectors import call_history

    return call_history(viewer=viewer, now=NOW, audit=audit, **lookup.kwargs)


class HandSql:
    """The same answer as call_history, from hand-written SQL on the raw DB-API connection."""

    def __init__(self, connection, vendor: str, *, show_refuge: bool):
        self.connection, self.vendor, self.refuge = connection, vendor, int(show_refuge)
        self.one = sql_for(ONE_STATEMENT, vendor)
        self.two_place, self.two_people = sql_for(TWO_PLACE, vendor), sql_for(TWO_PEOPLE, vendor)
        connection.ensure_connection()
        self.raw = connection.connection
        self.variants = {"one statement": self.one_statement, "two statements": self.two_statements}
        if vendor == "postgresql":
            # Planning the one statement costs 3-4 ms, more than running it: prepare it once, generic plan.
            # Only prepared statements are affected (Django's cursors bind client-side and never prepare).
            # Django's connection disables preparation (prepare_threshold=None), so this variant has its own.
            import psycopg

            params = {k: v for k, v in connection.get_connection_params().items()
                      if k not in ("cursor_factory", "context", "prepare_threshold")}
            self.prepared = psycopg.connect(**params, autocommit=True, prepare_threshold=0)
            self.prepared.execute("SET TIME ZONE 'UTC'")
            self.prepared.execute("SET plan_cache_mode = force_generic_plan")
            self.variants["one statement, prepared"] = self.one_statement_prepared

    def params(self, lookup: Lookup) -> dict:
        from vigil.checks import history
        from vigil.people.normalise import InvalidPhone, address_key, normalise_phone

        kw = lookup.kwargs
        key = address_key(line1=kw["line1"], postcode=kw["postcode"]) if kw.get("line1") else None
        e164 = None
        if kw.get("phone"):
            with contextlib.suppress(InvalidPhone):
                e164 = normalise_phone(kw["phone"])
        given = [[pid, int("victim" in roles)] for pid, roles in (kw.get("persons") or {}).items()]
        since, today = history.window_start(NOW), NOW.astimezone(ZoneInfo("Europe/London")).date()
        p = {"key": key, "e164": e164, "excl": 0, "since": since, "now": NOW, "today": today,
             "year_ago": today - history.RECENT_WINDOW, "refuge": self.refuge, "given": json.dumps(given)}
        if self.vendor == "sqlite":  # as Django writes them on SQLite: UTC text
            for name in ("since", "now"):
                p[name] = p[name].astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
            for name in ("today", "year_ago"):
                p[name] = p[name].isoformat()
        return p

    def _fetch(self, sql: str, params: dict, *, prepare: bool = False, many: bool = False):
        if prepare:  # server-side binding, prepared once per connection (Django's own cursors bind client-side)
            import psycopg

            cursor = psycopg.Cursor(self.prepared)
            try:
                cursor.execute(sql, params, prepare=True)
                return cursor.fetchall() if many else cursor.fetchone()
            finally:
                cursor.close()
        cursor = self.raw.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall() if many else cursor.fetchone()
        finally:
            cursor.close()

    def one_statement(self, lookup: Lookup) -> dict:
        row = self._fetch(self.one, self.params(lookup))
        return self._answer(row[:6], row[6])

    def one_statement_prepared(self, lookup: Lookup) -> dict:
        row = self._fetch(self.one, self.params(lookup), prepare=True)
        return self._answer(row[:6], row[6])

    def two_statements(self, lookup: Lookup) -> dict:
        params = self.params(lookup)
        row = self._fetch(self.two_place, params)
        shown = _json(row[6])
        if not shown:
            return self._answer(row[:6], [])
        roles = {pid: r for pid, r in shown}
        people = self._fetch(self.two_people, {**params, "people": json.dumps([pid for pid, _ in shown])},
                             many=True)
        facts = [[pid, ordinal, public_id, restricted, latest, roles[pid], *rest]
                 for pid, ordinal, public_id, restricted, latest, _, *rest in people]
        return self._answer(row[:6], facts)

    def _answer(self, place, people) -> dict:
        address_all, address_12m, phone_all, phone_12m, recent, place_markers = place
        facts = {}
        for (pid, ordinal, public_id, restricted, latest, roles, markers, marac_12m, grade, victim_calls, victims,
             code_word, open_cases) in (_json(people) or []):
            latest = _json(latest)
            if latest is None:
                continue
            victims = _json(victims) or [0, 0]
            facts[pid] = {
                "ord": ordinal, "public_id": public_id, "restricted": bool(restricted), "latest": latest,
                "roles": roles, "markers": _json(markers) or [], "marac_12m": marac_12m, "grade": grade or "",
                "victim_calls_12m": victim_calls, "victims": victims, "code_word": code_word or "",
                "open_cases": _json(open_cases) or [],
            }
        return {"counts": (address_all, address_12m, phone_all, phone_12m), "recent": _json(recent) or [],
                "people": facts, "place_markers": _json(place_markers) or []}


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _uuid(value) -> str:
    return str(uuid.UUID(str(value)))


def _day(value) -> str | None:
    return None if value is None else str(value)[:10]


def normal_selector(result, persons_now: dict) -> dict:
    """The selector's answer in a comparable form."""
    def marker(m):
        return (m.kind, _day(m.starts_on), _day(m.ends_on), m.note)

    people = {}
    for p in result.people:
        people[p.person_id] = (
            _uuid(p.public_id), p.name, _day(p.date_of_birth), p.restricted, tuple(sorted(p.roles)),
            tuple(sorted(marker(m) for m in p.markers)), p.latest_grade, p.victim_calls_12m, p.victims_abused,
            p.other_victims, _day(p.marac_12m), p.code_word,
            tuple((_uuid(c.public_id), c.risk_level, c.owner, c.team) for c in p.open_cases))
    return {"counts": (result.address_all, result.address_12m, result.phone_all, result.phone_12m),
            "recent": tuple((_uuid(i.public_id), i.matched_on) for i in result.incidents),
            "people": people, "place_markers": tuple(sorted(marker(m) for m in result.place_markers))}


def normal_hand(answer: dict, persons_now: dict) -> dict:
    """The hand SQL's answer in the same form (names and the 'other victims' rule as the screen shows them)."""
    from vigil.checks.selectors import RESTRICTED_NAME

    victims_now = {pid for pid, roles in persons_now.items() if "victim" in roles}
    people = {}
    for pid, f in answer["people"].items():
        given_name, family_name, dob = f["latest"]
        name = RESTRICTED_NAME if f["restricted"] else (
            " ".join(part for part in (given_name, family_name) if part) or "Name not known")
        abused, other = f["victims"]
        roles = tuple(sorted(set(f["roles"].split(",")))) if f["roles"] else ()
        people[pid] = (
            _uuid(f["public_id"]), name, None if f["restricted"] else _day(dob), f["restricted"], roles,
            tuple(sorted((k, _day(s), _day(e), n) for k, s, e, n in f["markers"])), f["grade"],
            f["victim_calls_12m"], abused, other if victims_now else max(abused - 1, 0), _day(f["marac_12m"]),
            f["code_word"], tuple((_uuid(u), level, owner, team or "") for u, level, owner, team in f["open_cases"]))
    recent = tuple((_uuid(u), tuple(name for name, hit in (("address", at), ("number", ph)) if hit))
                   for u, at, ph in answer["recent"])
    return {"counts": tuple(answer["counts"]), "recent": recent, "people": people,
            "place_markers": tuple(sorted((k, _day(s), _day(e), n) for k, s, e, n in answer["place_markers"]))}


def same_answer(selector: dict, hand: dict) -> str:
    """'' if equal; otherwise what differs. More than 40 people: call_history keeps an unspecified 40 of
    them (no order), so then the two must agree on how many and on every person both show."""
    for part in ("counts", "recent", "place_markers"):
        if selector[part] != hand[part]:
            return f"{part}: selector {selector[part]!r} != hand SQL {hand[part]!r}"
    s, h = selector["people"], hand["people"]
    if set(s) != set(h) and not (len(s) == len(h) == 40):
        return f"people: selector {sorted(s)} != hand SQL {sorted(h)}"
    for pid in set(s) & set(h):
        if s[pid] != h[pid]:
            return f"person {pid}: selector {s[pid]!r} != hand SQL {h[pid]!r}"
    return ""


def verify(lookups: list[Lookup], viewer, hand: HandSql) -> None:
    started = time.perf_counter()
    capped = 0
    for lookup in lookups:
        persons_now = lookup.kwargs.get("persons") or {}
        expected = normal_selector(run_selector(lookup, viewer, audit=False), persons_now)
        capped += len(expected["people"]) == 40
        for name, variant in hand.variants.items():
            answer = normal_hand(variant(lookup), persons_now)
            problem = same_answer(expected, answer)
            if problem:
                raise SystemExit(f"VERIFY FAILED ({hand.vendor}, {name}) for {lookup.kind} look-up "
                                 f"{lookup.label!r}: {problem}")
    print(f"verify: every hand SQL variant ({', '.join(hand.variants)}) gave the selector's answer for all "
          f"{len(lookups)} look-ups (counts, recent incidents and how matched, people, names, markers, grades, "
          f"victim calls, victims abused, MARAC, code words, open cases and owners, place markers)"
          + (f"; {capped} look-ups hit the 40-people cap (compared on the people both show)" if capped else "")
          + f" ({time.perf_counter() - started:.1f} s, also the warm-up)", flush=True)


def query_counts(lookups: list[Lookup], viewer, hand: HandSql) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for kind in ("phone", "address", "person"):
        lookup = max((lk for lk in lookups if lk.kind == kind), key=lambda lk: lk.size)
        row = []
        for audit in (True, False):
            with CaptureQueriesContext(connection) as captured:
                result = run_selector(lookup, viewer, audit)
            row.append(len(captured.captured_queries))
        row.append(len(result.people))
        counts[kind] = row
    return counts


def measure(lookups: list[Lookup], viewer, hand: HandSql, rounds: int, seed: int) -> dict[str, list[float]]:
    import gc

    methods = {"selector, audit=True": lambda lk: run_selector(lk, viewer, True),
               "selector, audit=False": lambda lk: run_selector(lk, viewer, False)}
    methods.update({f"hand SQL: {name}": variant for name, variant in hand.variants.items()})
    times: dict[str, list[float]] = {name: [] for name in methods}
    by_kind: dict[tuple[str, str], list[float]] = {}
    rng = random.Random(seed)
    names = list(methods)
    started = time.perf_counter()
    for _ in range(rounds):
        order = list(lookups)
        rng.shuffle(order)
        gc.collect()
        for n, lookup in enumerate(order):
            shift = n % len(names)
            for name in names[shift:] + names[:shift]:
                t0 = time.perf_counter_ns()
                methods[name](lookup)
                ms = (time.perf_counter_ns() - t0) / 1e6
                times[name].append(ms)
                by_kind.setdefault((name, lookup.kind), []).append(ms)
    print(f"measure: {rounds} rounds x {len(lookups)} look-ups x {len(names)} methods, methods rotated per "
          f"look-up, look-ups shuffled per round ({time.perf_counter() - started:.0f} s)", flush=True)
    times["_by_kind"] = by_kind
    return times


def measure_api(lookups: list[Lookup], api_user, args) -> dict | None:
    from django.urls import NoReverseMatch, reverse

    try:
        path = reverse("api:history")
    except NoReverseMatch:
        print("api: not measured: the api:history endpoint does not exist yet")
        return None
    except Exception as error:  # noqa: BLE001 - the URLconf is being edited by others; report, go on
        print(f"api: not measured: the URLconf does not import right now: {type(error).__name__}: {error}")
        return None
    command = [str(VENV_BIN / "vigil"), "api_token", "--skip-checks", "--username", api_user.username]
    token = subprocess.run(command, capture_output=True, text=True)
    if token.returncode and "--rotate" in token.stderr:  # a token from an earlier run cannot be shown again
        token = subprocess.run([*command, "--rotate"], capture_output=True, text=True)
    if token.returncode:
        print(f"api: not measured: `vigil api_token --username {api_user.username}` failed: "
              f"{token.stderr.strip()[-300:]}")
        return None
    key = token.stdout.strip().split()[-1]
    port = args.api_port
    server = subprocess.Popen([str(VENV_BIN / "gunicorn"), "vigil.wsgi", "--bind", f"127.0.0.1:{port}",
                               "--workers", "2", "--log-level", "warning"], cwd=ROOT, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline or server.poll() is not None:
                print("api: not measured: gunicorn did not start")
                return None
            time.sleep(0.2)
        from urllib.parse import urlencode

        headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def get(lookup: Lookup) -> tuple[float, int, bytes]:
            t0 = time.perf_counter_ns()
            conn.request("GET", f"{path}?{urlencode(lookup.query)}", headers=headers)
            response = conn.getresponse()
            body = response.read()
            return (time.perf_counter_ns() - t0) / 1e6, response.status, body

        for lookup in lookups:  # warm-up: both workers, every look-up once
            _, status, body = get(lookup)
            if status != 200:
                print(f"api: not measured: GET {path}?{urlencode(lookup.query)} gave {status}: {body[:300]!r}")
                return None
        times, by_kind = [], {}
        rng = random.Random(args.seed)
        started = time.perf_counter()
        for _ in range(args.rounds):
            order = list(lookups)
            rng.shuffle(order)
            for lookup in order:
                ms, status, _ = get(lookup)
                times.append(ms)
                by_kind.setdefault(lookup.kind, []).append(ms)
        print(f"api: {args.rounds} rounds x {len(lookups)} GET {path} over HTTP/1.1 keep-alive to gunicorn "
              f"(2 workers, token auth) ({time.perf_counter() - started:.0f} s)", flush=True)
        return {"all": times, "by_kind": by_kind}
    finally:
        server.terminate()
        server.wait(timeout=30)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def line(name: str, values: list[float]) -> str:
    return (f"  {name:<34} p50 {statistics.median(values):6.2f} ms   p95 {pct(values, 95):6.2f} ms   "
            f"max {max(values):7.2f} ms   (n={len(values)})")


def report(vendor, lookups, results, api, counts, hand) -> bool:
    by_kind = results.pop("_by_kind")
    hand_names = [name for name in results if name.startswith("hand SQL")]
    best = min(hand_names, key=lambda name: (pct(results[name], 95), statistics.median(results[name])))
    base95, base50 = pct(results[best], 95), statistics.median(results[best])
    print(f"\nresults ({vendor}): all look-ups; baseline = fastest hand SQL variant by p95: '{best}'")
    for name, values in results.items():
        ratio = "" if name == best else (f"   p95 {pct(values, 95) / base95:5.2f}x  p50 "
                                         f"{statistics.median(values) / base50:5.2f}x baseline")
        print(line(name, values) + ratio)
    print("  by kind (p50 / p95 ms):")
    for name in results:
        print(f"    {name:<32} " + "   ".join(
            f"{kind} {statistics.median(by_kind[name, kind]):6.2f} / {pct(by_kind[name, kind], 95):6.2f}"
            for kind in ("phone", "address", "person")))
    print("  queries per look-up (the busiest address; the first phone and person), selector audit=True / audit=False, people shown: "
          + "; ".join(f"{kind} {a} / {b}, {p} people" for kind, (a, b, p) in counts.items())
          + "; hand SQL: 1 statement ('one statement'), 2 ('two statements')")
    ok = True
    sel95 = pct(results["selector, audit=True"], 95)
    sel50 = statistics.median(results["selector, audit=True"])
    verdicts = [("in-process p95 (audit=True) < 25 ms", sel95 < GOAL_IN_PROCESS_MS, f"{sel95:.2f} ms"),
                ("selector/hand SQL p95 ratio <= 5 (audit=True)", sel95 / base95 <= GOAL_RATIO,
                 f"{sel95 / base95:.2f}x (p50 {sel50 / base50:.2f}x)")]
    off95 = pct(results["selector, audit=False"], 95)
    off50 = statistics.median(results["selector, audit=False"])
    verdicts.append(("selector/hand SQL p95 ratio <= 5 (audit=False, same work)", off95 / base95 <= GOAL_RATIO,
                     f"{off95 / base95:.2f}x (p50 {off50 / base50:.2f}x)"))
    if api:
        print(line("API GET /api/v1/history/ (HTTP)", api["all"]) +
              f"   p95 {pct(api['all'], 95) / base95:5.2f}x  p50 {statistics.median(api['all']) / base50:5.2f}x "
              f"baseline")
        print("    API by kind (p50 / p95 ms):  " + "   ".join(
            f"{kind} {statistics.median(v):6.2f} / {pct(v, 95):6.2f}" for kind, v in api["by_kind"].items()))
        api95 = pct(api["all"], 95)
        verdicts.append(("API p95 < 60 ms", api95 < GOAL_API_MS, f"{api95:.2f} ms"))
    else:
        verdicts.append(("API p95 < 60 ms", None, "not measured (endpoint not there yet)"))
    for goal, passed, figure in verdicts:
        print(f"  {'PASS' if passed else 'n/a ' if passed is None else 'FAIL'}  {goal}: {figure}")
        ok = ok and passed is not False
    return ok


CTE_NAMES = {"addr", "ph", "hits", "recent", "inv", "given", "cand", "people", "q", "pm", "facts", "json_each"}


def full_scan(plan_line: str, bad_tables) -> bool:
    """A sequential scan of a big table: PostgreSQL 'Seq Scan on <table>', SQLite 'SCAN <table or alias>'
    without an index (SQLite names the alias, so any plain SCAN of a real table counts)."""
    text = plan_line.strip().lstrip("-> ").strip()
    if "Seq Scan on " in text:
        return text.split("Seq Scan on ")[1].split()[0] in bad_tables
    if text.startswith("BLOOM FILTER ON "):  # SQLite fills a Bloom filter by scanning the whole table
        return True
    if text.startswith("SCAN ") and "INDEX" not in text and "VIRTUAL" not in text:
        name = text.split()[1]  # CTEs, subqueries, the people being shown, users and teams are small
        return name not in CTE_NAMES and name not in {"pe", "u", "t", "CONSTANT"} and not name.startswith("(")
    return False


def explain(lookups: list[Lookup], viewer, hand: HandSql) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bad_tables = ("incidents_incident", "incidents_involvement", "people_personrecord")
    picks = [max((lk for lk in lookups if lk.kind == kind), key=lambda lk: lk.size) for kind in
             ("phone", "address", "person")]
    for lookup in picks:
        print(f"\nexplain ({hand.vendor}): {lookup.kind} look-up {lookup.label!r}"
              + (f" ({lookup.size} incidents at the address key)" if lookup.size else ""))
        statements = [("hand SQL, one statement", hand.one, hand.params(lookup))]
        with CaptureQueriesContext(connection) as captured:
            run_selector(lookup, viewer, audit=False)
        # The selector's own history statement (vigil.checks.history_sql) is logged without its parameters;
        # explain it with this look-up's (the hand SQL's parameters, the selector's limits).
        from vigil.checks import history

        own = {**hand.params(lookup), "recent_limit": history.RECENT_INCIDENTS_SHOWN,
               "people_limit": history.PEOPLE_SHOWN}
        statements += [(f"selector query {n}", q["sql"], own if q["sql"].startswith("-- vigil.checks.history_sql")
                         else None) for n, q in enumerate(captured.captured_queries, 1)]
        for name, sql, params in statements:
            prefix = "EXPLAIN (ANALYZE, BUFFERS) " if hand.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
            cursor = hand.raw.cursor()
            try:
                cursor.execute(prefix + sql, params) if params is not None else cursor.execute(prefix + sql)
                rows = cursor.fetchall()
            finally:
                cursor.close()
            plan = [r[0] if hand.vendor == "postgresql" else r[-1] for r in rows]
            seq = [p.strip() for p in plan if full_scan(p, bad_tables)]
            verdict = "SEQ SCAN: " + "; ".join(seq) if seq else "index look-ups only"
            if name.startswith("selector"):
                print(f"--- {name}: {verdict}: {sql[:160]}{'...' if len(sql) > 160 else ''}")
                if seq:
                    print("\n".join("    " + p for p in plan))
            else:
                print(f"--- {name}: {verdict}")
                print("\n".join("    " + p for p in plan))


if __name__ == "__main__":
    main()
