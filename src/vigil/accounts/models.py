import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import ROLE_BY_CODE, ROLE_CHOICES


class Agency(models.Model):
    """The force, or a partner agency that works with it."""

    class Kind(models.TextChoices):
        FORCE = "force", "Police force"
        IDVA = "idva", "IDVA service"
        CHILDRENS_SERVICES = "childrens_services", "Children's services"
        EDUCATION = "education", "Education"
        HOUSING = "housing", "Housing"
        HEALTH = "health", "Health"
        PROBATION = "probation", "Probation"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=Kind.choices)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_force(self) -> bool:
        return self.kind == self.Kind.FORCE


class Team(models.Model):
    class Kind(models.TextChoices):
        CONTROL_ROOM = "control_room", "Control room"
        RESPONSE = "response", "Response"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood team"
        SPECIALIST = "specialist", "Domestic abuse investigation unit"
        REPEAT_CASE = "repeat_case", "Repeat-case team"
        MARAC = "marac", "MARAC coordination"
        ANALYSIS = "analysis", "Analysis"
        PROFESSIONAL_STANDARDS = "professional_standards", "Professional standards"
        ADMINISTRATION = "administration", "Administration"
        PARTNER = "partner", "Partner team"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    area = models.ForeignKey("incidents.Area", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="teams")
    supervisor = models.ForeignKey("User", on_delete=models.SET_NULL, null=True, blank=True, related_name="teams_supervised",
                                   help_text="Allocates the team's cases and is told when its handovers or deadlines slip")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who uses Vigil. Identified in URLs and logs by `public_id`, never by name."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users", null=True)
    teams = models.ManyToManyField(Team, related_name="members", blank=True)

    @property
    def role_info(self):
        return ROLE_BY_CODE.get(self.role)

    @property
    def role_name(self) -> str:
        info = self.role_info
        return info.name if info else "No role"
