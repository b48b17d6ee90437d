"""The learner access projection: for each learner who signs in themselves, the school that
last gave them an activation code and whether they have set a password since, as the
``learner.password_reset`` and ``learner.activated`` entries left it (codes and password
hashes live beside the ledger, in ``learner_credentials``)."""

from __future__ import annotations

from sqlalchemy import select, update

from ledger.kinds import LEARNER_ACCESS, Kind
from ledger.payloads import LearnerAccessChanged
from ledger.storage.console_tables import learner_access
from ledger.storage.projection import Projection, ProjectionWriter
from ledger.storage.store import StoredEntry


def _reset(
    writer: ProjectionWriter, entry: StoredEntry, p: LearnerAccessChanged, _b: object
) -> None:
    # The school is the one whose staff wrote the reset (``school:<code>/<staff>``).
    school = entry.principal.partition("/")[0].removeprefix("school:")
    held = writer.execute(
        select(learner_access.c.account).where(learner_access.c.account == p.account)
    ).first()
    if held is not None:
        writer.execute(
            update(learner_access)
            .where(learner_access.c.account == p.account)
            .values(school=school, status="reset", reset_index=entry.index)
        )
    else:
        writer.insert(
            learner_access,
            {
                "account": p.account,
                "school": school,
                "status": "reset",
                "reset_index": entry.index,
                "activated_index": None,
            },
        )


def _activated(
    writer: ProjectionWriter, entry: StoredEntry, p: LearnerAccessChanged, _b: object
) -> None:
    writer.execute(
        update(learner_access)
        .where(learner_access.c.account == p.account)
        .values(status="active", activated_index=entry.index)
    )


PROJECTION = Projection(
    LEARNER_ACCESS,
    (learner_access,),
    {Kind.LEARNER_PASSWORD_RESET: _reset, Kind.LEARNER_ACTIVATED: _activated},
)
