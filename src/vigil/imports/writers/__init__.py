"""Writing one batch of checked rows of one kind: new records in bulk (COPY on PostgreSQL), corrected
records updated, each with the source system's identifier. Called by `services` inside the batch's
transaction, after every reference in the batch has been resolved to a Vigil record.

`WRITERS` names the writer of each kind; the writers are here by area (`people`, `incidents`, `orders`,
`marac`), what they share in `vigil.imports.writing`."""

from __future__ import annotations

from vigil.imports.writing import Writer
from vigil.incidents.models import Crime, Incident

from .incidents import (
    arrests_insert,
    arrests_update,
    crimes_insert,
    crimes_update,
    incidents_insert,
    incidents_update,
    outcomes_insert,
    outcomes_update,
    risk_assessments_insert,
    risk_assessments_update,
)
from .marac import marac_referrals_check, marac_referrals_insert, marac_referrals_update
from .orders import orders_check, orders_insert, orders_update
from .people import (
    addresses_insert,
    addresses_update,
    persons_insert,
    persons_update,
    phones_insert,
    phones_update,
    relationships_insert,
    relationships_update,
)

WRITERS: dict[str, Writer] = {
    "addresses": Writer(addresses_insert, addresses_update, pipelined=True),
    "phones": Writer(phones_insert, phones_update, pipelined=True),
    "persons": Writer(persons_insert, persons_update, pipelined=True),
    "incidents": Writer(incidents_insert, incidents_update, unique=((Incident, "reference", "reference"),),
                        pipelined=True),
    "crimes": Writer(crimes_insert, crimes_update, unique=((Crime, "reference", "reference"),), pipelined=True),
    "arrests": Writer(arrests_insert, arrests_update, pipelined=True),
    "outcomes": Writer(outcomes_insert, outcomes_update),  # may replace an outcome recorded in Vigil
    "relationships": Writer(relationships_insert, relationships_update),
    "risk_assessments": Writer(risk_assessments_insert, risk_assessments_update),
    "orders": Writer(orders_insert, orders_update, check=orders_check),
    "marac_referrals": Writer(marac_referrals_insert, marac_referrals_update, check=marac_referrals_check),
}
