"""Generating a synthetic force into the database."""

import math
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from tqdm import tqdm

from vigil.cases.models import SafeguardingCase
from vigil.incidents.models import Area, Arrest, Crime, Incident, Involvement, Outcome
from vigil.people.models import Address, Person, PersonRecord, Phone, Relationship
from vigil.risk.models import RiskAssessment

from . import writer
from .force import COLUMNS, TABLES, Ids, Lookups, Partition
from .models import GeneratedForce, TrueIdentity
from .noise import NoiseRates
from .population import NamePools, da_history, volumes_for
from .profiles import Profile

MODELS = {
    "phone": Phone, "address": Address, "person": Person, "person_record": PersonRecord,
    "true_identity": TrueIdentity, "incident": Incident, "involvement": Involvement,
    "relationship": Relationship, "crime": Crime, "arrest": Arrest, "outcome": Outcome,
    "risk_assessment": RiskAssessment, "safeguarding_case": SafeguardingCase,
}


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


def areas_ensure(profile: Profile) -> list[int]:
    ids = []
    for area in profile.areas:
        row, _ = Area.objects.update_or_create(
            code=area.code, defaults={"name": area.name, "postcode_districts": " ".join(area.districts)})
        ids.append(row.pk)
    return ids


def force_generate(*, profile: Profile, seed: int, scale: float = 1.0, progress: bool = False,
                   partition_limit: int | None = None) -> GenerationSummary:
    """Generate `profile` at `scale` with `seed` into the database: the same seed gives the same
    rows. `partition_limit` stops after that many partitions (for measuring a national rate)."""
    started = time.perf_counter()
    count, partition_scale = partitions_for(scale)
    if partition_limit is not None:
        count = min(count, partition_limit)
    volumes = volumes_for(profile, partition_scale)
    writer.session_prepare()
    area_ids = areas_ensure(profile)
    generated = GeneratedForce.objects.create(profile=profile.name, seed=seed, scale=scale)
    ids = Ids(next=writer.next_ids({k: m for k, m in MODELS.items() if k != "true_identity"}),
              true_person=(TrueIdentity.objects.aggregate(top=Max("true_person"))["top"] or 0) + 1)
    lookups = Lookups(phones=dict(Phone.objects.values_list("e164", "pk")))
    incidents = person_records = 0
    bar = tqdm(total=count * volumes.all_calls * profile.years, unit="incidents", disable=not progress,
               desc=f"{profile.name} seed {seed}")
    with bar:
        for index in range(count):
            rng = random.Random(f"{seed}:{index}")
            events, ids.true_person = da_history(profile, volumes, rng, NamePools.build(seed * 1000 + index),
                                                 ids.true_person)
            partition = Partition(profile=profile, volumes=volumes, rng=rng, ids=ids, lookups=lookups,
                                  area_ids=area_ids, tag=f"{generated.pk}-{index:02d}", noise=NoiseRates())
            with (transaction.atomic(), writer.foreign_key_triggers_deferred_to_generator(),
                  writer.batch_writer() as batches):
                for rows, incident_count in partition.batches(events):
                    batches.put([(MODELS[table], COLUMNS[table], rows[table]) for table in TABLES])
                    bar.update(incident_count)
                batches.drain()
            del events
            incidents += partition.counts.incidents
            person_records += partition.counts.person_records
    writer.sequences_reset(MODELS.values())
    GeneratedForce.objects.filter(pk=generated.pk).update(incidents=incidents, person_records=person_records)
    generated.refresh_from_db()
    return GenerationSummary(generated, count, incidents, person_records, time.perf_counter() - started)
