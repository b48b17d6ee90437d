"""The ``certledger staff`` commands: invite staff members to sign in to a console."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from ledger.bootstrap import open_ledger
from scripts.cli_common import console, settings_from_env


def staff_invite_command(args: argparse.Namespace) -> int:
    """Run ``certledger staff invite``: print a one-time invitation URL."""
    from ledger.core.principals import Principal
    from ledger.domain.staff import StaffRole

    party = Principal.parse(args.principal)
    settings = settings_from_env()
    ledger = open_ledger(settings)
    try:
        role = StaffRole.ADMIN if args.admin else StaffRole.CLERK
        invitation = ledger.staff.invite(None, party, role)
    finally:
        ledger.close()
    expires = datetime.fromtimestamp(invitation.expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    console.print(
        f"invited a {role.value} of {party} (staff account {invitation.account}, ledger "
        f"index {invitation.index}); the URL works once, until {expires}:"
    )
    print(f"{settings.public_url}/console/invitations/{invitation.secret}")
    return 0
