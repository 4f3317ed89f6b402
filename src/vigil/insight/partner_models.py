"""Partner figures, the table: one figure a partner agency keeps (an IDVA service's cases supported, a
refuge's referrals...) for a period, imported from a CSV file by an analyst (`partner_services.py`,
audited) and shown in the performance pack for the periods it overlaps. Counts only: no one is named.
A figure is never edited: the same agency, period and measure cannot be imported twice. Loaded through
`models.py` (its last lines import this module)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from . import partner_figures as rules

__all__ = ["PartnerFigure"]


class PartnerFigure(models.Model):
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="partner_figures")
    period_start = models.DateField()
    period_end = models.DateField(help_text="Inclusive")
    measure = models.CharField(max_length=rules.MEASURE_LENGTH)
    value = models.DecimalField(max_digits=rules.MAX_DIGITS, decimal_places=rules.DECIMAL_PLACES)
    unit = models.CharField(max_length=rules.UNIT_LENGTH, blank=True)
    note = models.CharField(max_length=rules.NOTE_LENGTH, blank=True, help_text="The source, or what a reader needs")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+")
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["agency__name", "measure", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "period_start", "period_end", "measure"],
                                    name="insight_partner_figure_once"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")),
                                   name="insight_partner_figure_period"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} ({self.period_start} to {self.period_end})"
