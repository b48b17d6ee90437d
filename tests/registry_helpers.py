"""Sample registry objects for tests: valid credit codes and school codes by number.

Names are marked as sample data; contacts are fictitious.
"""

from __future__ import annotations

import hashlib

from ledger.domain.registry import (
    Level,
    Organization,
    School,
    SchoolLevel,
    Standard,
    credit_code_check_character,
)

#: SHA-256 of a sample standard document.
DOCUMENT_HASH = hashlib.sha256(b"sample standard document").hexdigest()


def credit_code(number: int) -> str:
    """A valid unified social credit code, different for every ``number`` below 10**7."""
    body = f"91610000MA{number:07d}"
    return body + credit_code_check_character(body)


def school_code(number: int) -> str:
    """A ten-digit school identification code, different for every ``number``."""
    return f"41610{number:05d}"


def contact(number: int) -> str:
    """A fictitious contact person, unique per number (for personal-data scans)."""
    return f"联系人{number:05d} 138{number:08d}"


def sample_org(number: int) -> Organization:
    return Organization(credit_code(number), f"样例培训评价组织{number}(样例数据)", contact(number))


def sample_school(number: int, city: str = "xian", level: str = "higher") -> School:
    return School(school_code(number), f"样例职业学院{number}(样例数据)", city, SchoolLevel(level))


def sample_standard(org_id: str, code: str = "1X-BIM") -> Standard:
    return Standard(
        code,
        org_id,
        "建筑信息模型(BIM)",
        {Level.JUNIOR: 2, Level.INTERMEDIATE: 4},
        DOCUMENT_HASH,
    )
