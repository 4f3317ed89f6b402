"""What the API accepts and what it answers with.

Input serializers check everything before anything is saved and name the field at fault in words a
client developer can act on; they never echo the value back (it may locate a victim). Output
serializers read the already-materialised results of a selector, so they add no queries.
"""

from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from vigil.incidents.models import Incident, Involvement
from vigil.people.normalise import InvalidPhone, InvalidPostcode, normalise_phone, normalise_postcode

PHONE_ERROR = "Enter a phone number like 07700 900123 or +44 116 496 0000"
POSTCODE_ERROR = "Enter a full UK postcode, like LE1 6ZZ"
CLOCK_SKEW = timedelta(minutes=5)  # a client's clock may run a little ahead of ours
MAX_PEOPLE = 50


def _phone(value: str) -> str:
    if not value.strip():
        return ""
    try:
        return normalise_phone(value)
    except InvalidPhone:
        raise serializers.ValidationError(PHONE_ERROR) from None


def _postcode(value: str) -> str:
    try:
        return normalise_postcode(value)
    except InvalidPostcode:
        raise serializers.ValidationError(POSTCODE_ERROR) from None


class StrictFieldsMixin:
    """Refuse fields the API does not know, so a misspelt field is an error rather than silently lost."""

    ignored_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data):
        unknown = {name: ["Unknown field: this API does not accept it."]
                   for name in sorted(set(data) - set(self.fields) - self.ignored_fields)
                   } if isinstance(data, dict) else {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, dict):
                error.detail.update(unknown)  # every problem at once, not one round trip each
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


# Incidents pushed by a command-and-control system -------------------------------------------------

class AddressInSerializer(StrictFieldsMixin, serializers.Serializer):
    line1 = serializers.CharField(max_length=200, help_text="House number or name and street")
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    town = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10, help_text="A full UK postcode, in any case and spacing")

    def validate_postcode(self, value: str) -> str:
        return _postcode(value)


class PersonInSerializer(StrictFieldsMixin, serializers.Serializer):
    role = serializers.ChoiceField(choices=Involvement.Role.choices,
                                   error_messages={"invalid_choice": "Choose one of: " + ", ".join(
                                       Involvement.Role.values) + "."})
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    family_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None,
                                          help_text="YYYY-MM-DD, or null when not known")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")

    def validate_date_of_birth(self, value):
        if value is not None and value > timezone.localdate():
            raise serializers.ValidationError("A date of birth cannot be in the future.")
        return value

    def validate_phone(self, value: str) -> str:
        return _phone(value)

    def validate(self, attrs):
        if not (attrs["given_name"].strip() or attrs["family_name"].strip()):
            raise serializers.ValidationError(
                {"family_name": "Give a name, or part of one (for example a first name only)."})
        return attrs


class IncidentPushSerializer(StrictFieldsMixin, serializers.Serializer):
    """A whole incident from the command-and-control system. All or nothing: one bad field and nothing
    is saved."""

    source_ref = serializers.CharField(
        max_length=80, help_text="The command-and-control system's own incident number. One incident per "
                                 "number: sending a number again is refused with 409.")
    received_at = serializers.DateTimeField(help_text="When the call was received, ISO 8601 with an offset")
    channel = serializers.ChoiceField(choices=Incident.Channel.choices, error_messages={
        "invalid_choice": "Choose one of: " + ", ".join(Incident.Channel.values) + "."})
    caller_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    address = AddressInSerializer(required=False, allow_null=True, default=None)
    location_text = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                          help_text="Where, when there is no postal address")
    summary = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    is_domestic_abuse = serializers.BooleanField()
    weapons = serializers.BooleanField(required=False, allow_null=True, default=None,
                                       help_text="true, false, or null when not known")
    injuries = serializers.BooleanField(required=False, allow_null=True, default=None)
    children_present = serializers.BooleanField(required=False, allow_null=True, default=None)
    suspect_present = serializers.BooleanField(required=False, allow_null=True, default=None)
    response_grade = serializers.IntegerField(min_value=1, max_value=4, error_messages={
        "min_value": "The response grade must be 1, 2, 3 or 4.",
        "max_value": "The response grade must be 1, 2, 3 or 4."})
    people = PersonInSerializer(many=True, required=False, default=list, max_length=MAX_PEOPLE)

    def validate_received_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError("The time received cannot be in the future.")
        return value

    def validate_caller_phone(self, value: str) -> str:
        return _phone(value)

    def validate(self, attrs):
        errors = {}
        if attrs["address"] is None and not attrs["location_text"].strip():
            errors["address"] = "Give the address, or describe the location in location_text."
        if attrs["is_domestic_abuse"] and not any(p["role"] == "victim" for p in attrs["people"]):
            errors["people"] = "A domestic abuse incident needs its victim, with whatever is known " \
                               "(a first name is enough)."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def service_data(self) -> dict:
        """The validated incident in the shape `incidents.services.incident_record` takes."""
        data = dict(self.validated_data)
        data.pop("source_ref")
        data["address"] = dict(data["address"]) if data["address"] else None
        data["people"] = [dict(p) for p in data["people"]]
        return data


class CheckOutSerializer(serializers.Serializer):
    kind = serializers.CharField()
    status = serializers.CharField()
    performed_by = serializers.CharField(help_text="The role that owns the check")
    due_at = serializers.DateTimeField()


class IncidentCreatedSerializer(serializers.Serializer):
    """The answer to a pushed incident: opaque ids and statuses only (it is stored for replays)."""

    id = serializers.UUIDField(source="public_id", help_text="Vigil's id for the incident")
    reference = serializers.CharField(help_text="Vigil's incident reference")
    source_ref = serializers.CharField()
    status = serializers.CharField()
    checks = CheckOutSerializer(many=True, help_text="Background checks the policy opened, and their status")
    history_url = serializers.URLField(help_text="GET this for the history of the incident's number, "
                                                 "address and people")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence")
    errors = serializers.DictField(required=False, help_text="Field name -> messages (nested for address "
                                                             "and each person); only for invalid input")


class ConflictSerializer(ErrorSerializer):
    id = serializers.UUIDField(required=False, help_text="Vigil's id for the incident already received")
    reference = serializers.CharField(required=False)


# History --------------------------------------------------------------------------------------------

class HistoryQuerySerializer(StrictFieldsMixin, serializers.Serializer):
    ignored_fields = frozenset({"format"})  # DRF's own ?format= override
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                  help_text="A phone number in any common format (07700 900123, +447700900123)")
    line1 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                  help_text="First line of the address (with postcode)")
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="",
                                     help_text="Full UK postcode (with line1)")
    person = serializers.UUIDField(required=False, allow_null=True, default=None,
                                   help_text="A person's id, from people[].id in an earlier answer")
    incident = serializers.UUIDField(required=False, allow_null=True, default=None,
                                     help_text="An incident's id: the history of its number, address and people")

    def validate_phone(self, value: str) -> str:
        return _phone(value)

    def validate_postcode(self, value: str) -> str:
        return _postcode(value) if value.strip() else ""

    def validate(self, attrs):
        if bool(attrs["line1"].strip()) != bool(attrs["postcode"]):
            missing = "postcode" if attrs["line1"].strip() else "line1"
            raise serializers.ValidationError({missing: "Give both line1 and postcode to look up an address."})
        if not (attrs["phone"] or attrs["postcode"] or attrs["person"] or attrs["incident"]):
            raise serializers.ValidationError(
                "Give at least one of: phone, line1 and postcode, person, incident.")
        return attrs


class MarkerOutSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    on = serializers.CharField(help_text="person, address or number")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class PastIncidentOutSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    reference = serializers.CharField()
    received_at = serializers.DateTimeField()
    is_domestic_abuse = serializers.BooleanField()
    matched_on = serializers.ListField(child=serializers.CharField(), help_text="address and/or number")


class OpenCaseOutSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    risk_level = serializers.CharField()
    opened_at = serializers.DateTimeField()
    owner = serializers.CharField(allow_blank=True, help_text="The accountable owner's name; empty when none")
    team = serializers.CharField(allow_blank=True)


class PersonHistoryOutSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", help_text="The person's id (use it as ?person=)")
    name = serializers.CharField(help_text="'Restricted record' for a restricted person")
    date_of_birth = serializers.DateField(allow_null=True)
    restricted = serializers.BooleanField()
    roles = serializers.SerializerMethodField(help_text="Roles at the incidents found")
    markers = MarkerOutSerializer(many=True)
    latest_grade = serializers.CharField(allow_blank=True, help_text="standard, medium, high, or empty")
    latest_grade_at = serializers.DateTimeField(allow_null=True)
    victim_calls_12m = serializers.IntegerField()
    is_repeat_victim = serializers.BooleanField()
    victims_abused = serializers.IntegerField(help_text="Distinct victims recorded against them as suspect")
    other_victims = serializers.IntegerField()
    marac_12m = serializers.DateField(allow_null=True, help_text="Latest MARAC in the last 12 months")
    code_word = serializers.CharField(allow_blank=True)
    open_cases = OpenCaseOutSerializer(many=True)

    def get_roles(self, person) -> list[str]:
        return sorted(person.roles)


class HistoryCountsSerializer(serializers.Serializer):
    address_all = serializers.IntegerField()
    address_12m = serializers.IntegerField()
    phone_all = serializers.IntegerField()
    phone_12m = serializers.IntegerField()


class CallHistoryOutSerializer(serializers.Serializer):
    looked_up_at = serializers.DateTimeField()
    searched_phone = serializers.CharField(allow_blank=True, help_text="The number searched, in E.164")
    counts = HistoryCountsSerializer(source="*", help_text="Incidents at the address and from the number: all "
                                                        "time and in the last 12 months")
    incidents = PastIncidentOutSerializer(many=True, help_text="The most recent incidents found")
    people = PersonHistoryOutSerializer(many=True)
    place_markers = MarkerOutSerializer(many=True)
    records_found = serializers.BooleanField()
    message = serializers.CharField(source="empty_message", allow_blank=True,
                                    help_text="When nothing is found: why that is not the same as no history")
