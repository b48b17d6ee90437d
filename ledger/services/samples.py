"""Realistic sample entries for demos and benchmarks, appended like any other write.

The organizations are marked as sample data; holders appear only as salted
commitments, exactly as real issuance will record them.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator

from ledger.core.canonical import EntryDraft
from ledger.kinds import Kind

SAMPLE_KIND = Kind.SAMPLE_RECORDED
SAMPLE_PRINCIPAL = "system:seed"

# First-batch 1+X certificate titles (2019) and Shaanxi's prefecture-level cities.
STANDARDS = (
    ("BIM", "建筑信息模型(BIM)"),
    ("WEB", "Web前端开发"),
    ("LOG", "物流管理"),
    ("EC", "老年照护"),
    ("AUTO", "汽车运用与维修"),
    ("ACC", "智能财税"),
)
CITIES = ("xian", "tongchuan", "baoji", "xianyang", "weinan", "yanan", "hanzhong", "yulin")
LEVELS = ("junior", "intermediate", "senior")


def sample_drafts(
    count: int, batch: int, start: int = 0, seed: int = 2026
) -> Iterator[list[EntryDraft]]:
    """Yield ``count`` sample drafts in lists of at most ``batch``; same seed, same drafts."""
    chooser = random.Random(seed + start)
    made = 0
    while made < count:
        size = min(batch, count - made)
        yield [_draft(chooser, start + made + offset) for offset in range(size)]
        made += size


def _draft(chooser: random.Random, serial: int) -> EntryDraft:
    code, title = chooser.choice(STANDARDS)
    salt = chooser.getrandbits(128).to_bytes(16, "big")
    return EntryDraft(
        SAMPLE_KIND,
        SAMPLE_PRINCIPAL,
        {
            "certificate_number": f"SAMPLE-{code}-{serial:09d}",
            "standard_code": code,
            "standard_title": title,
            "level": chooser.choice(LEVELS),
            "organization": f"sample-org-{code.lower()}",
            "city": chooser.choice(CITIES),
            "issued_on": f"2026-{chooser.randint(1, 11):02d}-{chooser.randint(1, 28):02d}",
            "holder_commitment": hashlib.sha256(salt + serial.to_bytes(8, "big")).hexdigest(),
            "score": chooser.randint(60, 100),
        },
    )
