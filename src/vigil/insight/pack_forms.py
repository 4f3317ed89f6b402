"""The performance pack's period and area (GET): ?from=YYYY-MM-DD&to=YYYY-MM-DD[&area=code]."""

from vigil.formtools import AreaPeriodForm


class PackForm(AreaPeriodForm):
    """Both dates or neither (neither: the 12 months to the latest incident); the area is optional."""

    whole = "Whole force"
