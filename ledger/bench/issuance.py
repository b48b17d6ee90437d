"""Batch issuance through the HTTP API, beside raw Ed25519 signing measured in the same run.

The figure is signed certificates per second through ``POST /certificates/batch``: the
real app, in process (httpx's ASGI transport, no socket), with a bearer token of a
fictitious organization, batches of fresh holders (each opens a learning account, so a
certificate is two entries: ``learner.opened`` and ``certificate.issued``). Only the
request is timed: the rows are made and encoded as JSON before the timer starts, and the
response is read and checked after it stops.

The raw limit is ``Ed25519PrivateKey.sign`` of the cryptography package on the signing
input of a record the run issued (about 700 bytes), as many signatures as the batch
had rows, right after each batch, so that both see the same load.

The holders are made here, not taken from tests/: fictitious names and well-formed
(fictitious) resident identity numbers, distinct for every number below 10**7.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.bootstrap import Ledger
from ledger.core.errors import InvalidInput
from ledger.core.jws import verify_compact
from ledger.core.principals import Principal
from ledger.domain.certificates import id_number_check_character
from ledger.domain.registry import Level, Organization, Standard, credit_code_check_character
from ledger.services.certificates import MAX_BATCH_ROWS
from ledger.settings import RateLimit

__all__ = [
    "AppFactory",
    "IssuanceRate",
    "check_issuance_size",
    "fictitious_holder",
    "issuance_rows",
    "measure_issuance",
]

#: Builds the ASGI app serving a ledger (api.app.create_app).
AppFactory = Callable[[Ledger], Any]

#: The fictitious organization and standard the benchmark issues under.
BENCH_ORG_BODY = "91110000MA0BENCH0"
BENCH_STANDARD = "1X-BENCH"
#: Holder numbers from here are used by the untimed warm-up batch.
_WARM_UP_FROM = 9_000_000
_WARM_UP_ROWS = 50

_SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏"
_GIVEN = "安邦晨达恩帆广海浩宏慧佳建杰锦俊凯坤兰磊琳敏宁琦瑞姗淑婷伟文霞欣雅怡颖宇玉云哲志"
_REGION = "110101"
_FIRST_BIRTHDAY = date(1985, 1, 1)


def fictitious_holder(number: int) -> tuple[str, str]:
    """A fictitious full name and resident identity number, distinct for each ``number``.

    The name is a surname and one or more given characters spelling ``number``; the ID
    number is region 110101, a date of birth from 1985 on and a sequence number, with
    its GB 11643-1999 check character. Distinct for 0 <= ``number`` < 10**7.
    """
    if not 0 <= number < 10**7:
        raise ValueError(f"holder numbers run from 0 to 10**7 - 1, not {number}")
    name = _SURNAMES[number % len(_SURNAMES)]
    rest = number // len(_SURNAMES)
    name += _GIVEN[rest % len(_GIVEN)]
    rest //= len(_GIVEN)
    while rest:
        rest -= 1
        name += _GIVEN[rest % len(_GIVEN)]
        rest //= len(_GIVEN)
    born = _FIRST_BIRTHDAY + timedelta(days=number // 1000)
    body = f"{_REGION}{born:%Y%m%d}{number % 1000:03d}"
    return name, body + id_number_check_character(body)


def issuance_rows(standard: str, first: int, count: int) -> list[dict[str, Any]]:
    """``count`` JSON rows of ``POST /certificates/batch`` for holders ``first`` onwards."""
    rows: list[dict[str, Any]] = []
    for number in range(first, first + count):
        name, id_number = fictitious_holder(number)
        rows.append(
            {
                "standard": standard,
                "level": "junior" if number % 2 else "intermediate",
                "holder": {"name": name, "id_number": id_number},
                "assessment": f"BENCH-{number // 1000:04d}",
                "score": 60 + number % 41,
            }
        )
    return rows


@dataclass
class IssuanceRate:
    """Certificates issued through the API and raw signatures, and the seconds each took."""

    certificates: int = 0
    seconds: float = 0.0
    signatures: int = 0
    sign_seconds: float = 0.0
    requests: int = 0
    signing_input_bytes: int = 0

    @property
    def per_s(self) -> float:
        return self.certificates / self.seconds if self.seconds else 0.0

    @property
    def sign_per_s(self) -> float:
        return self.signatures / self.sign_seconds if self.sign_seconds else 0.0


def _register_issuer(ledger: Ledger) -> Principal:
    """Register the fictitious organization and publish its standard; its principal."""
    org_id = BENCH_ORG_BODY + credit_code_check_character(BENCH_ORG_BODY)
    ledger.registry.register_org(
        Principal.parse("office"),
        Organization(org_id, "基准测试培训评价组织(虚构数据)", "基准测试联系人(虚构)"),
    )
    principal = Principal.parse(f"org:{org_id}")
    ledger.registry.publish_standard(
        principal,
        Standard(
            BENCH_STANDARD,
            org_id,
            "基准测试证书标准(虚构数据)",
            {Level.JUNIOR: 2, Level.INTERMEDIATE: 4},
            hashlib.sha256(b"certledger bench standard").hexdigest(),
        ),
    )
    return principal


def _batches(rows: int, batch: int) -> Iterator[tuple[int, int]]:
    """(first holder number, row count) of each batch."""
    for first in range(0, rows, batch):
        yield first, min(batch, rows - first)


def check_issuance_size(rows: int, batch: int, limit: RateLimit) -> None:
    """InvalidInput unless ``rows`` in batches of ``batch`` is a run the API will serve."""
    if rows < 1 or not 1 <= batch <= MAX_BATCH_ROWS:
        raise InvalidInput(
            f"issuance needs at least one row, in batches of 1 to {MAX_BATCH_ROWS:,} rows"
        )
    requests = -(-rows // batch) + 1  # and the warm-up
    if requests > limit.requests:
        raise InvalidInput(
            f"{requests} batch requests exceed the rate limit of {limit.requests} per "
            f"{limit.seconds} s: use larger batches"
        )


def measure_issuance(
    ledger: Ledger,
    rows: int,
    batch: int,
    *,
    app_factory: AppFactory,
    progress: Callable[[int, int], None] = lambda _done, _total: None,
) -> IssuanceRate:
    """Issue ``rows`` certificates in batches of ``batch`` through the API and time them.

    Each batch is followed by as many raw Ed25519 signatures of a record's signing input
    as it had rows. Registers a fictitious organization and standard first (so it runs
    once per ledger). Raises InvalidInput for sizes the API refuses or the rate limit
    would stop, RuntimeError if a batch is not issued.
    """
    check_issuance_size(rows, batch, ledger.settings.rate_limit)
    principal = _register_issuer(ledger)
    token = ledger.tokens.mint(principal)
    app = app_factory(ledger)
    keys = {key.thumbprint(): key for key in ledger.log.verifying_keys()}
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    raw_key = Ed25519PrivateKey.generate()
    rate = IssuanceRate()

    def body(batch_id: str, first: int, count: int) -> bytes:
        payload = {"batch_id": batch_id, "rows": issuance_rows(BENCH_STANDARD, first, count)}
        return json.dumps(payload, ensure_ascii=False).encode("utf-8")

    def issued(response: httpx.Response, count: int) -> list[str]:
        if response.status_code != 201:
            raise RuntimeError(
                f"POST /certificates/batch answered {response.status_code}: {response.text[:300]}"
            )
        certificates = response.json()["certificates"]
        if len(certificates) != count:
            raise RuntimeError(f"a batch of {count} rows issued {len(certificates)} certificates")
        records = [certificate["record"] for certificate in certificates]
        verify_compact(records[-1], keys)  # they are real records of this ledger
        return records

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench.invalid"
        ) as client:
            # Untimed: the first request builds the app's handlers and compiled statements.
            warm = await client.post(
                "/certificates/batch",
                content=body("bench-warm-up", _WARM_UP_FROM, _WARM_UP_ROWS),
                headers=headers,
            )
            signing_input = issued(warm, _WARM_UP_ROWS)[0].rsplit(".", 1)[0].encode("ascii")
            rate.signing_input_bytes = len(signing_input)
            for number, (first, count) in enumerate(_batches(rows, batch)):
                content = body(f"bench-{number:05d}", first, count)
                began = time.perf_counter()
                response = await client.post(
                    "/certificates/batch", content=content, headers=headers
                )
                rate.seconds += time.perf_counter() - began
                issued(response, count)
                rate.certificates += count
                rate.requests += 1

                sign = raw_key.sign
                began = time.perf_counter()
                for _ in range(count):
                    sign(signing_input)
                rate.sign_seconds += time.perf_counter() - began
                rate.signatures += count
                progress(rate.certificates, rows)

    # httpx logs every request at INFO, and the app's logging setup may show it.
    httpx_logger = logging.getLogger("httpx")
    level = httpx_logger.level
    httpx_logger.setLevel(logging.WARNING)
    try:
        # A loop of its own in a thread of its own: the caller may already run an event
        # loop in this thread (a test session driving a browser does).
        with ThreadPoolExecutor(max_workers=1) as runner:
            runner.submit(asyncio.run, run()).result()
    finally:
        httpx_logger.setLevel(level)
    return rate
