"""Generating a synthetic force into the database."""

import itertools
import math
import multiprocessing
import random
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from tqdm import tqdm

from vigil.accounts.demo_users import FORCE
from vigil.accounts.models import Agency, Team, User
from vigil.cases.models import OwnershipPeriod, SafeguardingCase
from vigil.incidents.models import Area, Arrest, Crime, Incident, Involvement, Outcome
from vigil.people.models import Address, Person, PersonRecord, Phone, Relationship
from vigil.risk.models import GradingDecision, RiskAssessment

from . import marac, writer
from .force import COLUMNS, CaseOwners, Ids, Lookups, Partition
from .models import GeneratedForce, TrueIdentity
from .noise import NoiseRates
from .population import NamePools, da_history, volumes_for
from .profiles import Profile

MODELS = {
    "phone": Phone, "address": Address, "person": Person, "person_record": PersonRecord,
    "true_identity": TrueIdentity, "incident": Incident, "involvement": Involvement,
    "relationship": Relationship, "crime": Crime, "arrest": Arrest, "outcome": Outcome,
    "risk_assessment": RiskAssessment, "safeguarding_case": SafeguardingCase,
    "ownership_period": OwnershipPeriod,
    "grading_decision": GradingDecision,
    **marac.models(),
}
ALL_COLUMNS = {**COLUMNS, **marac.COLUMNS}
SPECIALISTS = 8  # demo-specialist-01 .. -08: who made the generated specialist reviews
SPECIALIST_TEAM = ("daiu", "Domestic abuse investigation unit", Team.Kind.SPECIALIST)


@dataclass(frozen=True)
class GenerationSummary:
    generated_force: GeneratedForce
    partitions: int
    incidents: int
    person_records: int
    seconds: float


def partitions_for(scale: float) -> tuple[int, float]:
    """A national set is generated as independent force partitions of at most scale 1 each."""
    count = max(1, math.ceil(scale - 1e-9))
    return count, scale / count


def specialists_ensure(count: int = SPECIALISTS) -> tuple[int, ...]:
    """The synthetic specialist investigators the generated reviews are decided by (GradingDecision
    needs a user): `demo-specialist-01`... in the force agency and its domestic abuse investigation
    unit, created once and reused by later runs. Their passwords are unusable: nobody signs in as them.
    A handful of ORM rows, written before the bulk load (the loader only refers to their keys)."""
    force, _ = Agency.objects.get_or_create(code=FORCE[0], defaults={"name": FORCE[1], "kind": FORCE[2]})
    unit, _ = Team.objects.get_or_create(code=SPECIALIST_TEAM[0], defaults={
        "name": SPECIALIST_TEAM[1], "kind": SPECIALIST_TEAM[2], "agency": force})
    ids = []
    for number in range(1, count + 1):
        user = User.objects.filter(username=f"demo-specialist-{number:02d}").first()
        if user is None:
            user = User(username=f"demo-specialist-{number:02d}", role="specialist_investigator", agency=force,
                        first_name="Demo", last_name=f"Specialist {number:02d}")
            user.set_unusable_password()
            user.save()
            user.teams.add(unit)
        ids.append(user.pk)
    return tuple(ids)


def _synthetic_officer(username: str, role: str, force: Agency, team: Team, last_name: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, agency=force, first_name="Demo", last_name=last_name)
        user.set_unusable_password()
        user.save()
    user.teams.add(team)
    return user


def case_owners_ensure(area_ids: list[int], specialist_ids: tuple[int, ...]) -> CaseOwners:
    """Who owns the generated cases: the specialists for high risk; for the rest, each area's
    neighbourhood team (`neighbourhood-<area>`, as the demo users have it) and its synthetic duty officer
    `demo-neighbourhood-<area>`, who also supervises the team unless it has a supervisor. Unusable
    passwords; written before the bulk load."""
    force = Agency.objects.get(code=FORCE[0])
    unit = Team.objects.get(code=SPECIALIST_TEAM[0])
    neighbourhood = {}
    for area in Area.objects.filter(pk__in=area_ids).order_by("pk"):
        team, _ = Team.objects.get_or_create(code=f"neighbourhood-{area.code}", defaults={
            "name": f"{area.name} neighbourhood team", "kind": Team.Kind.NEIGHBOURHOOD, "agency": force, "area": area})
        officer = _synthetic_officer(f"demo-neighbourhood-{area.code}"[:150], "neighbourhood_officer", force, team,
                                     f"{area.name} duty officer")
        neighbourhood[area.pk] = (team.pk, officer.pk)
    return CaseOwners(specialist_team=unit.pk, specialists=specialist_ids, neighbourhood=neighbourhood)


def areas_ensure(profile: Profile) -> list[int]:
    ids = []
    for area in profile.areas:
        row, _ = Area.objects.update_or_create(
            code=area.code, defaults={"name": area.name, "postcode_districts": " ".join(area.districts)})
        ids.append(row.pk)
    return ids


@dataclass(frozen=True)
class _Plan:
    """What generating the partitions needs; plain data, so a child process can take it."""

    profile: Profile
    volumes: object
    seed: int
    count: int
    ids: Ids
    lookups: Lookups
    area_ids: list[int]
    run_tag: int
    specialist_ids: tuple[int, ...] = ()
    capacity_effect: bool = False
    case_owners: CaseOwners | None = None
    marac_setup: marac.MaracSetup | None = None
    history_signal: bool = False


# An item of the stream: (partition index, rows by table or None at the partition's end, and the
# incidents in the rows, or (incidents, person records) of the finished partition).
StreamItem = tuple[int, dict[str, list[tuple]] | None, object]


def partition_stream(plan: _Plan) -> Iterator[StreamItem]:
    """The rows of every partition, batch by batch: pure generation, no database."""
    ids = plan.ids
    for index in range(plan.count):
        rng = random.Random(f"{plan.seed}:{index}")
        events, ids.true_person = da_history(plan.profile, plan.volumes, rng,
                                             NamePools.build(plan.seed * 1000 + index), ids.true_person,
                                             history_signal=plan.history_signal)
        partition = Partition(profile=plan.profile, volumes=plan.volumes, rng=rng, ids=ids, lookups=plan.lookups,
                              area_ids=plan.area_ids, tag=f"{plan.run_tag}-{index:02d}", noise=NoiseRates(),
                              review_rng=random.Random(f"{plan.seed}:{index}:specialist-reviews"),
                              specialist_ids=plan.specialist_ids, capacity_effect=plan.capacity_effect,
                              case_owners=plan.case_owners,
                              marac=plan.marac_setup and marac.MaracCases(
                                  plan.marac_setup, rng=random.Random(f"{plan.seed}:{index}:marac")))
        for rows, incident_count in partition.batches(events):
            yield index, rows, incident_count
        del events
        yield index, None, (partition.counts.incidents, partition.counts.person_records)


_STREAM_END = "end"


def _stream_in_child(plan: _Plan, items: multiprocessing.Queue) -> None:
    try:
        for item in partition_stream(plan):
            items.put(item)
        items.put(_STREAM_END)
    except BaseException:  # handed to the parent, which raises it
        items.put(("error", traceback.format_exc()))


def stream_from_child_process(plan: _Plan) -> Iterator[StreamItem]:
    """The same stream, generated in a child process while this one writes: on two cores the
    generating and the writing overlap. At most `depth` batches wait in between (bounded memory)."""
    context = multiprocessing.get_context("fork")
    items = context.Queue(maxsize=3)
    child = context.Process(target=_stream_in_child, args=(plan, items), name="demo-generator", daemon=True)
    child.start()
    try:
        while (item := items.get()) != _STREAM_END:
            if item[0] == "error":
                raise RuntimeError(f"generation failed in the child process:\n{item[1]}")
            yield item
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def force_generate(*, profile: Profile, seed: int, scale: float = 1.0, progress: bool = False,
                   partition_limit: int | None = None, parallel: bool = False,
                   capacity_effect: bool = False, history_signal: bool = False) -> GenerationSummary:
    """Generate `profile` at `scale` with `seed` into the database: the same seed gives the same
    rows. `partition_limit` stops after that many partitions (for measuring a national rate).
    `parallel` generates in a child process while this one writes (the command does; tests, which
    write inside their own transaction, need not). `capacity_effect` plants a link between the
    specialist unit's open caseload and its downgrades (reviews.py; off by default). `history_signal`
    plants a link between a victim's history and their coming back (population.DAHistory; off by
    default: repeat victims are then drawn whatever their history)."""
    started = time.perf_counter()
    count, partition_scale = partitions_for(scale)
    if partition_limit is not None:
        count = min(count, partition_limit)
    volumes = volumes_for(profile, partition_scale)
    writer.session_prepare()
    area_ids = areas_ensure(profile)
    specialist_ids = specialists_ensure()
    generated = GeneratedForce.objects.create(profile=profile.name, seed=seed, scale=scale)
    ids = Ids(next=writer.next_ids({k: m for k, m in MODELS.items() if k != "true_identity"}),
              true_person=(TrueIdentity.objects.aggregate(top=Max("true_person"))["top"] or 0) + 1)
    lookups = Lookups(phones=dict(Phone.objects.values_list("e164", "pk")))
    plan = _Plan(profile=profile, volumes=volumes, seed=seed, count=count, ids=ids, lookups=lookups,
                 area_ids=area_ids, run_tag=generated.pk, specialist_ids=specialist_ids,
                 capacity_effect=capacity_effect, case_owners=case_owners_ensure(area_ids, specialist_ids),
                 history_signal=history_signal,
                 marac_setup=marac.setup_ensure(profile=profile, volumes=volumes, partition_scale=partition_scale,
                                          scale=scale, seed=seed, area_ids=area_ids, specialist_ids=specialist_ids))
    if parallel:
        connection.ensure_connection()  # opened before the fork; the child never touches it
    stream = stream_from_child_process(plan) if parallel else partition_stream(plan)
    incidents = person_records = 0
    bar = tqdm(total=count * volumes.all_calls * profile.years, unit="incidents", disable=not progress,
               desc=f"{profile.name} seed {seed}")
    with bar, writer.sqlite_secondary_indexes_rebuilt_after(MODELS.values()):
        for _, items in itertools.groupby(stream, key=lambda item: item[0]):
            with (transaction.atomic(), writer.foreign_key_triggers_deferred_to_generator(),
                  writer.batch_writer() as batches):
                for _, rows, info in items:
                    if rows is None:
                        incidents += info[0]
                        person_records += info[1]
                        continue
                    batches.put([(MODELS[table], ALL_COLUMNS[table], table_rows) for table, table_rows in rows.items()])
                    bar.update(info)
                batches.drain()
    writer.sequences_reset(MODELS.values())
    GeneratedForce.objects.filter(pk=generated.pk).update(incidents=incidents, person_records=person_records)
    generated.refresh_from_db()
    return GenerationSummary(generated, count, incidents, person_records, time.perf_counter() - started)
