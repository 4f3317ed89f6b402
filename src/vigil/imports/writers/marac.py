"""The writer of MARAC referral history: each referral in its MARAC area, from its referring agency (as
that agency's import account), heard at the area's meeting that day (made, chaired by the import's account,
when Vigil has none)."""

from __future__ import annotations

from datetime import date

from vigil.accounts.models import Agency
from vigil.imports.writing import Context, Item, Reasons, import_user, refuse_unchecked, text_or_empty
from vigil.marac.models import MaracArea, MaracMeeting, MaracReferral
from vigil.people.models import PersonRecord


def _marac_lookups(items: list[Item]) -> tuple[dict[str, MaracArea], dict[str, Agency], dict[int, int | None]]:
    areas = MaracArea.objects.in_bulk({item.values["area_code"] for item in items}, field_name="code")
    agencies = Agency.objects.in_bulk({item.values["referring_agency"] for item in items}, field_name="code")
    records = {item.refs[name] for item in items for name in ("victim_person_id", "perpetrator_person_id")
               if item.refs.get(name)}
    persons = dict(PersonRecord.objects.filter(pk__in=records).values_list("pk", "person_id"))
    return areas, agencies, persons


def marac_referrals_check(ctx: Context, items: list[Item]) -> Reasons:
    areas, agencies, persons = _marac_lookups(items)
    reasons: Reasons = {}
    for item in items:
        found = []
        if item.values["area_code"] not in areas:
            found.append("area_code is not a known MARAC area code")
        if item.values["referring_agency"] not in agencies:
            found.append("referring_agency is not a known agency code")
        victim = persons.get(item.refs["victim_person_id"])
        perpetrator = persons.get(item.refs.get("perpetrator_person_id"))
        if victim is None:
            found.append("victim_person_id is not yet a person in Vigil: link the persons import first")
        elif victim == perpetrator:
            found.append("victim_person_id and perpetrator_person_id are records of the same person in Vigil")
        if found:
            reasons[item.row_number] = found
    return reasons


def _marac_meeting(ctx: Context, area: MaracArea, held_on: date) -> MaracMeeting:
    """The area's meeting that day: the one Vigil has, else a held meeting chaired by the import's account."""
    meeting = MaracMeeting.objects.filter(area=area, held_on=held_on).first()
    if meeting is None:
        meeting = MaracMeeting.objects.create(area=area, held_on=held_on, status=MaracMeeting.Status.HELD,
                                              chair=import_user(ctx.source_system), recorded_at=ctx.now)
    return meeting


def _marac_write(ctx: Context, item: Item, referral: MaracReferral | None) -> MaracReferral:
    areas, agencies, persons = _marac_lookups([item])
    v = item.values
    area, agency = areas[v["area_code"]], agencies[v["referring_agency"]]
    if referral is None:
        referral = MaracReferral(created_at=ctx.now)
    referral.area, referral.referring_agency = area, agency
    referral.referred_by = import_user(ctx.source_system, agency)
    referral.victim_id = persons[item.refs["victim_person_id"]]
    referral.perpetrator_id = persons.get(item.refs.get("perpetrator_person_id"))
    referral.received_on, referral.criteria = v["received_on"], sorted(v["criteria"])
    referral.judgement_reason, referral.incidents_12m = text_or_empty(v["judgement_reason"]), v["incidents_12m"]
    referral.is_repeat = bool(v["is_repeat"])
    referral.victim_aware, referral.victim_consents = v["victim_aware"], v["victim_consents"]
    referral.reason_without_consent = text_or_empty(v["reason_without_consent"])
    if v["heard_on"]:
        referral.meeting, referral.status = _marac_meeting(ctx, area, v["heard_on"]), MaracReferral.Status.HEARD
    else:
        referral.meeting, referral.status = None, MaracReferral.Status.RECEIVED
    referral.save()
    return referral


def marac_referrals_insert(ctx: Context, items: list[Item]) -> None:
    refuse_unchecked(marac_referrals_check, ctx, items)
    for item in items:
        item.object_id = _marac_write(ctx, item, None).pk


def marac_referrals_update(ctx: Context, item: Item) -> None:
    refuse_unchecked(marac_referrals_check, ctx, [item])
    _marac_write(ctx, item, MaracReferral.objects.get(pk=item.object_id))
