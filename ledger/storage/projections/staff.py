"""The staff projection: each staff account, the party it acts for, its role and status, as
the ``staff.*`` entries left them (credentials and people live beside the ledger)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from ledger.domain.staff import StaffStatus
from ledger.kinds import STAFF, Kind
from ledger.payloads import StaffAccountChanged, StaffInvited
from ledger.storage.projection import Handler, Projection, ProjectionWriter
from ledger.storage.staff_tables import staff_accounts
from ledger.storage.store import StoredEntry


def _invited(writer: ProjectionWriter, entry: StoredEntry, p: StaffInvited, _b: object) -> None:
    writer.insert(
        staff_accounts,
        {
            "account": p.account,
            "principal": p.principal,
            "role": p.role,
            "status": StaffStatus.INVITED.value,
            "invited_index": entry.index,
            "invited_by": entry.principal,
            "activated_index": None,
            "disabled_index": None,
            "second_factor_reset_index": None,
        },
    )


def _changed(changes: Any) -> Handler:
    def change(
        writer: ProjectionWriter, entry: StoredEntry, p: StaffAccountChanged, _b: object
    ) -> None:
        writer.execute(
            update(staff_accounts)
            .where(staff_accounts.c.account == p.account)
            .values(**changes(entry.index))
        )

    return change


PROJECTION = Projection(
    STAFF,
    (staff_accounts,),
    {
        Kind.STAFF_INVITED: _invited,
        Kind.STAFF_ACTIVATED: _changed(
            lambda index: {"status": StaffStatus.ACTIVE.value, "activated_index": index}
        ),
        Kind.STAFF_DISABLED: _changed(
            lambda index: {"status": StaffStatus.DISABLED.value, "disabled_index": index}
        ),
        Kind.STAFF_SECOND_FACTOR_RESET: _changed(
            lambda index: {"second_factor_reset_index": index}
        ),
    },
)
