"""``certledger identity show`` and ``certledger identity set URL``: the ledger's origin,
public URL and issuer, kept in the ledger as ledger.identity entries."""

from __future__ import annotations

import argparse

from ledger.bootstrap import open_ledger
from ledger.core.errors import InvalidInput
from ledger.settings import Settings
from scripts.cli_common import settings_from_env

__all__ = ["identity_set_command", "identity_show_command"]


def identity_show_command(_args: argparse.Namespace) -> int:
    """Run ``certledger identity show``: every identity the ledger recorded, oldest first."""
    ledger = open_ledger(settings_from_env(), first_run=False)
    try:
        found = ledger.log.identities()
    finally:
        ledger.close()
    if not found:
        print("no identity recorded yet: the first `certledger serve` records LEDGER_PUBLIC_URL")
    for identity in found:
        print(f"from entry {identity.index}: {identity.public_url} (origin {identity.origin})")
    return 0


def identity_set_command(args: argparse.Namespace) -> int:
    """Run ``certledger identity set URL``: record a new identity (stop the server first)."""
    url = args.url.rstrip("/")
    # The same checks as LEDGER_PUBLIC_URL's.
    Settings.from_env({"LEDGER_PUBLIC_URL": url, "LEDGER_DATA_DIR": "."})
    ledger = open_ledger(settings_from_env(), first_run=False)
    try:
        before = ledger.log.identities()
        if not before:
            ledger.adopt_identity()
        index = ledger.log.record_identity(url)
        if index is None:
            raise InvalidInput(f"{url} is the ledger's identity already")
        ledger.log.checkpoint()
    finally:
        ledger.close()
    print(f"the ledger's identity is now {url} (entry {index}); checkpoints name its origin")
    print("records signed before keep naming the issuer of their time and still verify")
    return 0
