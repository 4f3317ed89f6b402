"""Reading MARAC: the referrals and actions a user may see, one referral (a refused look is audited too),
its research, and which other agencies hold information about a person (a pointer, never the content).

Police roles that work MARAC (`rules.MARAC_POLICE_ROLES`) see everything. A partner practitioner sees the
referrals on the agendas of meetings their agency is invited to (and those their agency made), and their
agency's actions. Anyone else sees none.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vigil.audit.services import audit_record, audit_record_each

from .models import MaracAction, MaracReferral, MaracResearch
from .services import referral_rows, sees_all_marac, subjects_of

NotFound = Http404  # what the cases app raises for a record the viewer may not see


def _is_partner(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.agency_id and not user.agency.is_force
                and user.has_perm("marac.view_marac"))


def referrals_visible_to(user) -> QuerySet[MaracReferral]:
    if sees_all_marac(user):
        return referral_rows()
    if _is_partner(user):
        shared = Q(meeting__attendance__agency_id=user.agency_id) | Q(referring_agency_id=user.agency_id)
        return referral_rows().filter(pk__in=MaracReferral.objects.filter(shared).values("pk"))
    return MaracReferral.objects.none()


def actions_visible_to(user) -> QuerySet[MaracAction]:
    actions = MaracAction.objects.select_related("referral__victim", "meeting", "agency", "owner")
    if sees_all_marac(user):
        return actions
    if _is_partner(user):
        return actions.filter(agency_id=user.agency_id)
    return MaracAction.objects.none()


def _refused(*, viewer, object_type: str, object_id: str, subject, request, view: str) -> None:
    """Audit a look that was refused, so an auditor sees the attempt, then answer as if there were nothing."""
    audit_record(action="consultation", actor=viewer, object_type=object_type, object_id=object_id,
                 subject_person_id=subject, request=request,
                 detail={"view": view, "refused": "not shared with the viewer's agency"})
    raise NotFound("No such MARAC referral")


def referral_for(*, viewer, public_id, request=None) -> MaracReferral:
    """One referral for a viewer it is shared with (audited as a consultation); NotFound otherwise, the
    refused attempt audited too."""
    referral = referrals_visible_to(viewer).filter(public_id=public_id).first()
    if referral is None:
        hidden = MaracReferral.objects.select_related("victim").filter(public_id=public_id).first()
        _refused(viewer=viewer, object_type="marac.MaracReferral", object_id=str(public_id),
                 subject=hidden.victim.public_id if hidden else None, request=request, view="marac referral")
    audit_record_each(action="consultation", actor=viewer, obj=referral, subject_person_ids=subjects_of(referral),
                      request=request, detail={"view": "marac referral"})
    return referral


def referral_research(*, viewer, referral: MaracReferral, request=None) -> list[MaracResearch]:
    """The research every agency added to a referral shared with the viewer (audited)."""
    referral = referral_for(viewer=viewer, public_id=referral.public_id, request=request)
    return list(referral.research.select_related("agency", "author"))


def person_shared_with(*, person, viewer, request=None) -> None:
    """NotFound (audited) unless the person is the victim or perpetrator of a referral shared with the viewer."""
    shared = referrals_visible_to(viewer).filter(Q(victim=person) | Q(perpetrator=person)).exists()
    if not shared:
        _refused(viewer=viewer, object_type="people.Person", object_id=str(person.public_id),
                 subject=person.public_id, request=request, view="marac information holders")


@dataclass(frozen=True)
class InformationHolder:
    """That an agency holds information about a person, and since when: never what it holds."""

    agency_name: str
    agency_code: str
    first_added_on: date
    last_added_on: date


def holders_of_information(*, person, viewer_agency, viewer, request=None) -> list[InformationHolder]:
    """Which other agencies hold MARAC research about the person (as victim or perpetrator), with dates
    only, for a viewer who shares a MARAC case about them. Audited as a consultation of the person."""
    person_shared_with(person=person, viewer=viewer, request=request)
    rows = (MaracResearch.objects.filter(Q(referral__victim=person) | Q(referral__perpetrator=person))
            .exclude(agency=viewer_agency).values("agency__name", "agency__code")
            .annotate(first=Min("added_at"), last=Max("added_at")).order_by("agency__name"))

    holders = [InformationHolder(agency_name=r["agency__name"], agency_code=r["agency__code"],
                                 first_added_on=timezone.localdate(r["first"]),
                                 last_added_on=timezone.localdate(r["last"])) for r in rows]
    audit_record(action="consultation", actor=viewer, obj=person, subject_person_id=person.public_id,
                 request=request, detail={"view": "marac information holders", "agencies": len(holders)})
    return holders
