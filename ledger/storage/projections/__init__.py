"""Every projection, by the name ledger.kinds gives it; the store runs their handlers.

A test holds this table and ledger.kinds.KINDS to each other: every kind feeds exactly the
projections it declares, and every projection reads only kinds that declare it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ledger.storage.projection import Projection
from ledger.storage.projections import (
    beside,
    certificates,
    credentials,
    credit_bank,
    identity,
    keys,
    learner_access,
    pilot,
    registry,
    reports,
    staff,
)

PROJECTIONS: Mapping[str, Projection] = {
    projection.name: projection
    for projection in (
        keys.PROJECTION,
        credentials.PROJECTION,
        registry.PROJECTION,
        certificates.PROJECTION,
        credit_bank.PROJECTION,
        pilot.PROJECTION,
        staff.PROJECTION,
        reports.PROJECTION,
        learner_access.PROJECTION,
        identity.PROJECTION,
        beside.PERSONAL,
        beside.DOCUMENT_STORE,
        beside.KEY_SECRETS,
    )
}
