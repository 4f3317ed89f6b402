"""Ground truth of the synthetic force, kept apart from everything matching may read.

Linkage must never read this table: it exists so that linkage quality can be measured."""

from django.db import models


class TrueIdentity(models.Model):
    person_record = models.OneToOneField("people.PersonRecord", on_delete=models.CASCADE,
                                         related_name="+", primary_key=True)
    true_person = models.BigIntegerField(db_index=True)
    noise = models.CharField(max_length=200, blank=True,
                             help_text="The kinds of recording noise applied to this record, comma-separated")

    def __str__(self) -> str:
        return f"True identity of record {self.person_record_id}"


class GeneratedForce(models.Model):
    """One run of the generator: what was asked for, so that a database says what it holds."""

    profile = models.CharField(max_length=40)
    seed = models.IntegerField()
    scale = models.FloatField()
    generated_at = models.DateTimeField(auto_now_add=True)
    incidents = models.IntegerField(default=0)
    person_records = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.profile} seed {self.seed} scale {self.scale:g}"
