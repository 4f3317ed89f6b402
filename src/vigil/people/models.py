"""The POLE core: people as written on each event, resolved persons, places, phones, relationships
and warning markers."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from . import normalise


class Person(models.Model):
    """Vigil's resolved identity: a cluster of person records that linkage or a human decided are one
    individual. Carries no personal data of its own; that lives on the records."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    restricted = models.BooleanField(default=False)
    # Set when a reviewer or the re-link combined this person into another: old links still lead there.
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"Person {self.public_id}"


class Address(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    line1 = models.CharField("address line 1", max_length=200)
    line2 = models.CharField("address line 2", max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, db_index=True)
    address_key = models.CharField(max_length=120, db_index=True, editable=False)
    is_refuge = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"Address {self.public_id}"

    def save(self, *args, **kwargs):
        self.postcode = normalise.normalise_postcode(self.postcode)
        self.address_key = normalise.address_key(line1=self.line1, postcode=self.postcode)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        try:
            self.postcode = normalise.normalise_postcode(self.postcode)
        except normalise.InvalidPostcode:
            raise ValidationError({"postcode": "Enter a full UK postcode, like LE1 6ZZ"}) from None


class Phone(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    e164 = models.CharField("number (E.164)", max_length=20, unique=True)

    def __str__(self) -> str:
        return f"Phone {self.public_id}"

    def save(self, *args, **kwargs):
        self.e164 = normalise.normalise_phone(self.e164)
        super().save(*args, **kwargs)


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    UNKNOWN = "U", "Not known"


class PersonRecord(models.Model):
    """What was written about someone on one event. Never edited away: a correction is a new record.
    Only the link to a resolved person may change (linkage proposes, people decide)."""

    IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth", "sex", "ethnicity", "address_id",
                       "phone_id", "source_system", "source_ref")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="records", null=True,
                               blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=40, blank=True)
    address = models.ForeignKey(Address, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="person_records")
    phone = models.ForeignKey(Phone, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="person_records")
    given_name_key = models.CharField(max_length=100, blank=True, editable=False)
    family_name_key = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    given_name_phonetic = models.CharField(max_length=20, blank=True, editable=False)
    family_name_phonetic = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    source_system = models.CharField(max_length=40, default="vigil")
    source_ref = models.CharField(max_length=80, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["family_name_key", "date_of_birth"]),
            # Online matching's candidate look-ups (linkage/candidates.py): date of birth alone (swapped or
            # nicknamed names), and surname sound with a birth-year range.
            models.Index(fields=["date_of_birth"], name="person_record_dob"),
            models.Index(fields=["family_name_phonetic", "date_of_birth"], name="person_record_sound_dob"),
            models.Index(fields=["given_name_key"], name="person_record_given_key"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_ref"], condition=~Q(source_ref=""),
                                    name="person_record_source_unique"),
        ]

    def __str__(self) -> str:
        return f"Person record {self.public_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = PersonRecord.objects.filter(pk=self.pk).values(*self.IDENTITY_FIELDS).first()
            if stored and any(stored[f] != getattr(self, f) for f in self.IDENTITY_FIELDS):
                raise ValidationError("A person record is never edited: record a correction as a new record.")
        self.fill_keys()
        super().save(*args, **kwargs)

    def fill_keys(self) -> None:
        self.given_name_key = normalise.name_key(self.given_name)
        self.family_name_key = normalise.name_key(self.family_name)
        self.given_name_phonetic = normalise.phonetic_key(self.given_name)
        self.family_name_phonetic = normalise.phonetic_key(self.family_name)


class Relationship(models.Model):
    """The relationship between a victim and a suspect, as stated on one event."""

    class Kind(models.TextChoices):
        CURRENT_PARTNER = "current_partner", "Current partner"
        FORMER_PARTNER = "former_partner", "Former partner"
        FAMILY_MEMBER = "family_member", "Family member"

    victim = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="as_victim_in")
    suspect = models.ForeignKey(PersonRecord, on_delete=models.PROTECT, related_name="as_suspect_in")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    intimate = models.BooleanField(help_text="Intimate partner abuse, as opposed to other family abuse")
    detail = models.CharField(max_length=60, blank=True, help_text="For example: son, mother, ex-husband")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(victim=F("suspect")), name="relationship_two_people"),
            models.CheckConstraint(
                condition=Q(kind="family_member") | Q(intimate=True),
                name="relationship_partners_are_intimate",
            ),
            models.UniqueConstraint(fields=["victim", "suspect"], name="relationship_once_per_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} relationship"


class WarningMarker(models.Model):
    """A warning on a person, an address or a phone, in force from `starts_on` until `ends_on`."""

    class Kind(models.TextChoices):
        VIOLENCE = "violence", "Violence"
        WEAPONS = "weapons", "Weapons"
        VULNERABLE = "vulnerable", "Vulnerable person"
        HIGH_RISK_VICTIM = "high_risk_victim", "High-risk victim"
        MARAC = "marac", "MARAC case"
        BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
        PROTECTIVE_ORDER = "protective_order", "Protective order in force"
        REFUGE = "refuge", "Refuge"
        DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse history"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="markers")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="markers")
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="markers")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, address__isnull=True, phone__isnull=True)
                    | Q(person__isnull=True, address__isnull=False, phone__isnull=True)
                    | Q(person__isnull=True, address__isnull=True, phone__isnull=False)
                ),
                name="marker_has_exactly_one_subject",
            ),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="marker_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} marker {self.public_id}"

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class Restriction(models.Model):
    """A restricted person: the victim works for the force, lives at a refuge, or the case is high
    profile. Opening the record then needs a stated reason, and the owner is told."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="restrictions")
    reason = models.CharField(max_length=300)
    owner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="restrictions_owned")
    created_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(lifted_at__isnull=True),
                                    name="one_active_restriction_per_person"),
        ]

    def __str__(self) -> str:
        return f"Restriction {self.public_id}"


class SafeContact(models.Model):
    """How a victim may safely be contacted: the only number and times to use, and a code word."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="safe_contact")
    phone = models.ForeignKey(Phone, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    safe_times = models.CharField(max_length=200, blank=True, help_text="For example: weekdays 10:00 to 14:00")
    code_word = models.CharField(max_length=60, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Safe contact for {self.person}"


class ContactBan(models.Model):
    """A number or address that must never be used to contact this person (the abuser may see it)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_bans")
    phone = models.ForeignKey(Phone, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    address = models.ForeignKey(Address, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(phone__isnull=False, address__isnull=True) | Q(phone__isnull=True, address__isnull=False),
                name="contact_ban_names_a_phone_or_an_address",
            ),
        ]

    def __str__(self) -> str:
        return "Never use this contact"


class RestrictedAccessAlert(models.Model):
    """Tells a restriction's owner that someone opened the restricted record, and why."""

    restriction = models.ForeignKey(Restriction, on_delete=models.CASCADE, related_name="alerts")
    accessed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    accessed_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Access to restricted record at {self.accessed_at:%Y-%m-%d %H:%M}"
