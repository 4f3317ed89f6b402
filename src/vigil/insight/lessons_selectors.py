"""Lessons from reviews, the reads: the register (for analysts and administrators), the briefings
addressed to a user (by their role or a team they belong to), the unread count the navigation shows,
where to send a user who has just signed in, and each briefing's coverage per team.

Reviews are published anonymised and briefings are for staff, so these reads hold no personal data
about victims and are not audited as consultations; the coverage download is (`lessons_services`).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from vigil.accounts.models import Team, User

from .lessons_coverage import NO_TEAM, Coverage, coverage_by_team
from .models import Briefing, BriefingAcknowledgement, BriefingRole, Lesson, LessonUpdate, Review

MANAGE = "insight.manage_lessons"


def _require_manager(viewer) -> None:
    if not viewer.has_perm(MANAGE):
        raise PermissionDenied


# --- briefings for a reader ------------------------------------------------------------------------------

def _in_force() -> QuerySet[Briefing]:
    return Briefing.objects.filter(withdrawn_at__isnull=True)


def _addressed_to(user) -> Q:
    """Briefings addressed to `user`: by their role, or by a team they belong to."""
    teams = Team.objects.filter(members=user).values("pk")
    by_role = BriefingRole.objects.filter(briefing=OuterRef("pk"), role=getattr(user, "role", "") or "")
    by_team = Briefing.target_teams.through.objects.filter(briefing=OuterRef("pk"), team__in=teams)
    return Q(Exists(by_role)) | Q(Exists(by_team))


def addressed_briefings(*, user) -> QuerySet[Briefing]:
    """The briefings in force addressed to `user`, newest first."""
    if not (user.is_authenticated and user.is_active):
        return Briefing.objects.none()
    return _in_force().filter(_addressed_to(user))


def _read_by(user):
    return Exists(BriefingAcknowledgement.objects.filter(briefing=OuterRef("pk"), user=user))


def unread_briefings(*, user) -> QuerySet[Briefing]:
    return addressed_briefings(user=user).filter(~_read_by(user))


def unread_briefing_count(*, user) -> int:
    """How many briefings addressed to `user` they have not acknowledged (the navigation shows it)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_briefings(user=user).count()


def briefing_is_addressed_to(*, briefing: Briefing, user) -> bool:
    return addressed_briefings(user=user).filter(pk=briefing.pk).exists()


@dataclass(frozen=True)
class BriefingsForYou:
    unread: list[Briefing]
    read: list[Briefing]  # each with `acknowledged_at`, the latest read first


def _with_review():
    return Briefing.objects.select_related("lesson__review")


def briefings_for(*, user, read_limit: int = 20) -> BriefingsForYou:
    """The briefings addressed to `user`: those still to read (oldest first, so they read in order), then
    the latest they have read."""
    mine = addressed_briefings(user=user)
    unread = list(_with_review().filter(pk__in=mine.filter(~_read_by(user)).values("pk"))
                  .order_by("issued_at", "id"))
    acknowledged = {a.briefing_id: a.acknowledged_at
                    for a in BriefingAcknowledgement.objects.filter(user=user, briefing__in=mine.values("pk"))}
    read = list(_with_review().filter(pk__in=acknowledged))
    for briefing in read:
        briefing.acknowledged_at = acknowledged[briefing.pk]
    read.sort(key=lambda b: b.acknowledged_at, reverse=True)
    return BriefingsForYou(unread=unread, read=read[:read_limit])


def briefing_for_reader(*, user, public_id) -> Briefing:
    """A briefing addressed to `user`, for acknowledging; any other is "not found"."""
    briefing = addressed_briefings(user=user).filter(public_id=public_id).first()
    if briefing is None:
        raise Http404("No such briefing")
    return briefing


def sign_in_destination(*, user, then: str) -> str:
    """Where a user who has just signed in goes: "Briefings for you" when they have unread briefings,
    with `then` (where they were going) as the way on; otherwise `then`."""
    here = reverse("insight:briefings-for-you")
    if then.startswith(here) or not unread_briefing_count(user=user):
        return then
    return f"{here}?{urlencode({'next': then})}"


# --- the register ----------------------------------------------------------------------------------------

def reviews_list(*, viewer) -> QuerySet[Review]:
    _require_manager(viewer)
    return (Review.objects.select_related("area")
            .annotate(lesson_count=Count("lessons", distinct=True),
                      open_count=Count("lessons", filter=~Q(lessons__status=Lesson.Status.DONE), distinct=True),
                      briefing_count=Count("lessons__briefings", distinct=True)))


def review_detail(*, viewer, public_id) -> Review:
    _require_manager(viewer)
    review = (Review.objects.select_related("area", "registered_by")
              .prefetch_related(Prefetch("lessons", queryset=Lesson.objects.select_related("owner")
                                         .annotate(briefing_count=Count("briefings"))))
              .filter(public_id=public_id).first())
    if review is None:
        raise Http404("No such review")
    return review


def lesson_detail(*, viewer, public_id) -> Lesson:
    _require_manager(viewer)
    lesson = (Lesson.objects.select_related("review", "owner", "recorded_by")
              .prefetch_related(Prefetch("updates", queryset=LessonUpdate.objects.select_related("by")),
                                Prefetch("briefings", queryset=Briefing.objects.prefetch_related(
                                    "audience_roles", "target_teams")))
              .filter(public_id=public_id).first())
    if lesson is None:
        raise Http404("No such lesson")
    return lesson


def briefing_detail(*, viewer, public_id) -> Briefing:
    _require_manager(viewer)
    briefing = (Briefing.objects.select_related("lesson__review", "issued_by", "withdrawn_by")
                .prefetch_related("audience_roles", "target_teams").filter(public_id=public_id).first())
    if briefing is None:
        raise Http404("No such briefing")
    return briefing


def lesson_owner_choices() -> QuerySet[User]:
    """Who may own a lesson's action: active people in the force (not system accounts)."""
    return (User.objects.filter(is_active=True, agency__kind="force").exclude(role="control_system")
            .order_by("last_name", "first_name", "username"))


def briefing_team_choices() -> QuerySet[Team]:
    return Team.objects.select_related("agency").order_by("agency__name", "name")


# --- coverage --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BriefingCoverageRows:
    briefing: Briefing
    teams: tuple[Coverage, ...]  # each row's `team` is a Team, or None for addressed users in no team
    total: Coverage


def addressed_users(briefing: Briefing) -> QuerySet[User]:
    """The active users a briefing is addressed to now: by role, or by membership of one of its teams."""
    roles = BriefingRole.objects.filter(briefing=briefing).values("role")
    teams = Briefing.target_teams.through.objects.filter(briefing=briefing).values("team")
    members = User.teams.through.objects.filter(team__in=teams).values("user")
    return User.objects.filter(is_active=True).filter(Q(role__in=roles) | Q(pk__in=members))


def briefing_coverage(briefing: Briefing) -> BriefingCoverageRows:
    """Of the users `briefing` is addressed to, per team: how many, how many acknowledged, the percentage."""
    user_ids = set(addressed_users(briefing).values_list("pk", flat=True))
    memberships = [(uid, NO_TEAM) for uid in user_ids]
    memberships += list(User.teams.through.objects.filter(user_id__in=user_ids).values_list("user_id", "team_id"))
    read = BriefingAcknowledgement.objects.filter(briefing=briefing).values_list("user_id", flat=True)
    teams = {t.pk: t for t in Team.objects.filter(pk__in={team for _, team in memberships if team is not NO_TEAM})
             .order_by("name")}
    result = coverage_by_team(memberships, read, team_order={pk: i for i, pk in enumerate(teams)})
    rows = tuple(Coverage(team=teams.get(row.team), addressed=row.addressed, acknowledged=row.acknowledged)
                 for row in result.teams)
    return BriefingCoverageRows(briefing=briefing, teams=rows, total=result.total)


def coverage_report(*, viewer) -> list[BriefingCoverageRows]:
    """The coverage of every briefing in force, newest first."""
    _require_manager(viewer)
    return [briefing_coverage(b) for b in _in_force().select_related("lesson__review")]
