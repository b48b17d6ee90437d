"""``certledger seed``: a sample province, or N sample entries, in the configured ledger."""

from __future__ import annotations

import argparse

from ledger.bootstrap import open_ledger
from scripts.cli_common import progress_bar, settings_from_env

__all__ = ["seed_command"]


def seed_command(args: argparse.Namespace) -> int:
    """Run ``certledger seed``: a sample province, or N sample entries."""
    if args.count is not None and args.samples is not None:
        raise SystemExit("give N or --samples N, not both")
    count = args.samples if args.count is None else args.count
    if count is None:
        return _seed_province(args.scale)
    if args.scale is not None:
        raise SystemExit("--scale sizes the province; it does not apply to N sample entries")
    return _seed_samples(count, args.batch)


def _seed_province(scale: float | None) -> int:
    import time

    from ledger.seed import seed_province
    from ledger.services.certificates import china_today

    ledger = open_ledger(settings_from_env())
    # The stored identity names the records the seed signs (and the pages printed below).
    ledger.adopt_identity()
    settings = ledger.settings
    started = time.monotonic()
    try:
        with progress_bar("seeding the province") as update:
            summary = seed_province(ledger, scale=1.0 if scale is None else scale, progress=update)
    finally:
        ledger.close()
    url, s = settings.public_url, summary
    lines = [
        f"seeded a sample province for {s.year} in {time.monotonic() - started:.1f} s: "
        f"{s.entries} ledger entries (all personal data is fictitious)",
        f"  {s.orgs} organizations, {s.standards} standards, {s.schools} pilot schools "
        f"(school {s.suspended_school} and organization {s.suspended_org} suspended)",
        f"  {s.plans} plans, {s.sites} assessment sites (none in {', '.join(s.gap_cities)}), "
        f"{s.assessments} assessments, {s.monitoring_points} monitoring points, "
        f"{s.reports} self-evaluation reports",
        f"  {s.learners} learners, {s.certificates} certificates ({s.revocations} revoked), "
        f"{s.course_credits} course credits, {s.conversions} conversions "
        f"({s.reversals} reversed) under {s.rules} rules",
        "open:",
        f"  {url}/verify",
        f"  {url}/learner",
        f"  {url}/reports/bulletin?period={china_today():%Y-%m}",
        "the office's token: certledger token office",
        "demo staff accounts (demo data; sign in at " + f"{url}/console/sign-in):",
        *(
            f"  {who:<32} username {user:<14} password {password}"
            for who, user, password in s.staff
        ),
        "  the office's and the auditor's second factor (TOTP) is set up at their first sign-in",
    ]
    if s.learner:
        lines.append(
            f"demo learner (demo data; sign in at {url}/learner/sign-in): "
            f"account {s.learner[0]} activation code {s.learner[1]}"
        )
    if s.example_account:
        lines += [
            f"a learner's token: certledger token learner {s.example_account}",
            f"one of their certificates: {s.example_verify_url}",
        ]
    print("\n".join(lines))
    return 0


def _seed_samples(count: int, batch: int) -> int:
    from ledger.services.samples import sample_drafts

    if count < 0 or batch < 1:
        raise SystemExit("count must be >= 0 and --batch >= 1")
    ledger = open_ledger(settings_from_env())
    try:
        with progress_bar("seeding") as update:
            done = 0
            for drafts in sample_drafts(count, batch, start=ledger.store.size()):
                ledger.log.append(drafts)
                done += len(drafts)
                update(done, count)
        ledger.log.checkpoint()
        print(f"appended {count} sample entries; the log has {ledger.store.size()}")
    finally:
        ledger.close()
    return 0
