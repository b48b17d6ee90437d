"""Fictitious holders and a ready issuer for certificate tests.

Every holder number gives a distinct, well-formed full name and resident identity number,
so that a test can search stored bytes and logs for exactly the personal data it sent.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ledger.bootstrap import Ledger
from ledger.core.principals import Principal
from ledger.domain.certificates import id_number_check_character
from tests.registry_helpers import sample_org, sample_standard

_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
_GIVEN = "".join(
    (
        "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红娟",
        "建文辉力鹏飞宇浩然思雨欣怡晨阳子轩梓涵嘉",
    )
)

_org_numbers = itertools.count(5000)


def holder_name(number: int) -> str:
    """A distinct Chinese name (a surname and one to three given characters) per ``number``."""
    surname = _SURNAMES[number % len(_SURNAMES)]
    rest = number // len(_SURNAMES)
    given = _GIVEN[rest % len(_GIVEN)]
    rest //= len(_GIVEN)
    while rest:
        rest -= 1
        given += _GIVEN[rest % len(_GIVEN)]
        rest //= len(_GIVEN)
    return surname + given


def id_number(number: int) -> str:
    """A distinct well-formed (fictitious) resident identity number per ``number`` < 10**7."""
    born = date(1995, 1, 1) + timedelta(days=number // 1000)
    body = f"610102{born:%Y%m%d}{number % 1000:03d}"
    return body + id_number_check_character(body)


def holder(number: int) -> dict[str, str]:
    """The holder member of an issuance request."""
    return {"name": holder_name(number), "id_number": id_number(number)}


@dataclass(frozen=True)
class Issuer:
    """A registered organization and one of its standards (junior and intermediate)."""

    org: str
    standard: str

    @property
    def principal(self) -> str:
        return f"org:{self.org}"

    def row(self, number: int, level: str = "junior", **extra: Any) -> dict[str, Any]:
        """A JSON issuance request for holder ``number``."""
        return {"standard": self.standard, "level": level, "holder": holder(number), **extra}


def make_issuer(ledger: Ledger, code: str = "1X-BIM") -> Issuer:
    """Register a fresh organization and publish ``code`` as its standard."""
    org = sample_org(next(_org_numbers))
    ledger.registry.register_org(Principal.parse("office"), org)
    ledger.registry.publish_standard(
        Principal.parse(f"org:{org.id}"), sample_standard(org.id, code)
    )
    return Issuer(org.id, code)
