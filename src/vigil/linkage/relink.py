"""The full re-link of the force's person records: the same matching code as `vigil link`, trained on the
force's own records, then applied through `services.relink_apply` (joins only, human decisions kept)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from django.db import transaction
from django.utils import timezone

from vigil.audit.services import audit_record
from vigil.people.models import PersonRecord

from . import candidates, matching, prepare, services
from .models import MatchingModel

Progress = Callable[[str], None]


def person_rows(batch: int = 5000) -> Iterator[dict[str, str | None]]:
    """Every linked person record in the input shape of `vigil link` (record_id is the record's pk)."""
    records = (PersonRecord.objects.filter(person__isnull=False, person__merged_into__isnull=True)
               .values_list("pk", "given_name", "family_name", "date_of_birth", "address__line1",
                            "address__line2", "address__town", "address__postcode", "phone__e164")
               .order_by("pk"))
    for pk, given, family, born, line1, line2, town, postcode, phone in records.iterator(chunk_size=batch):
        yield {
            "record_id": str(pk), "given_name": given, "family_name": family,
            "date_of_birth": born.isoformat() if born else None,
            "postcode": postcode, "address": candidates.address_text(line1, line2, town) or None,
            "phone": phone, "identifier": None,
        }


def relink_run(*, upper: float = matching.DEFAULT_UPPER, lower: float = matching.DEFAULT_LOWER,
               max_pairs: float = matching.DEFAULT_MAX_PAIRS, progress: Progress = lambda _m: None) -> dict:
    """Train on every person record, score the blocked pairs, save the model (the active one from now on)
    and apply the scores to the persons."""
    started = time.monotonic()
    columns = prepare.prepare_rows(person_rows())
    records = len(columns["unique_id"])
    progress(f"{records} person records read")
    if records < 2:
        return {"records": records, "joins": 0, "blocked_by_decisions": 0, "held_for_review": 0, "reviews_opened": 0}
    linker = matching.trained_linker(columns, max_pairs=max_pairs, progress=progress)
    progress("scoring candidate pairs")
    scored = [(int(a), int(b), p) for a, b, p in matching.scored_pairs(linker, lower=lower)]
    progress(f"{len(scored)} pairs at or above {lower}")
    document = matching.model_document(linker, matching.UK, records=records, upper=upper, lower=lower)
    with transaction.atomic():
        MatchingModel.objects.filter(active=True).update(active=False)
        model = MatchingModel.objects.create(version=document["model_version"], trained_at=timezone.now(),
                                             trained_on_records=records, upper=upper, lower=lower,
                                             document=document, active=True)
        # The system read every linked person record to train and score: one event for the whole run.
        audit_record(action="consultation", obj=model, reason="Full re-link of the person records",
                     detail={"records": records, "pairs_scored": len(scored)})
    outcome = services.relink_apply(scored_pairs=scored, upper=upper, lower=lower, matching_model=model,
                                    progress=progress)
    outcome.update(records=records, pairs_scored=len(scored), seconds=round(time.monotonic() - started, 1))
    progress(f"done: {outcome}")
    return outcome
