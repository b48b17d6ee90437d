"""No personal data in the ledger, in a record, in a QR code or in a log line.

A real `certledger serve` process issues certificates one by one, in a JSON batch and
from a CSV file, answers bad requests, and erases one learner. Then the test searches
every entry's bytes, every record, the server's whole output and (after the erasure) the
database files for the holders' full names and ID numbers. Positive controls show each
search would find what it looks for.
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from tests.certificate_helpers import holder, holder_name, id_number
from tests.registry_helpers import DOCUMENT_HASH, sample_org
from tests.served import Served, certledger

HOLDERS = range(600, 640)
ERASED = 600


def token(served: Served, principal: str) -> dict[str, str]:
    role, _, ident = principal.partition(":")
    result = certledger("token", role, *([ident] if ident else []), env=served.env)
    assert result.returncode == 0, result.stderr
    return {"Authorization": f"Bearer {result.stdout.strip()}"}


def entries(url: str) -> list[bytes]:
    found: list[bytes] = []
    while True:
        page = httpx.get(
            f"{url}/log/entries", params={"start": len(found), "end": len(found) + 1000}
        )
        batch = page.json()["entries"]
        found += [base64.b64decode(entry["data"]) for entry in batch]
        if len(found) >= page.json()["tree_size"]:
            return found


def secrets_of(number: int) -> list[bytes]:
    """The personal data of holder ``number`` as the bytes any file or text might hold."""
    name, ident = holder_name(number), id_number(number)
    forms = [name, ident, json.dumps(name)[1:-1]]  # raw UTF-8 and JSON \\u escapes
    return [form.encode() for form in forms]


def issue_everything(served: Served) -> tuple[list[str], str]:
    url = served.url
    org = sample_org(7001)
    office = token(served, "office")
    assert httpx.post(
        f"{url}/orgs",
        json={"id": org.id, "name": org.name, "contact": org.contact},
        headers=office,
    ).is_success
    issuer = token(served, f"org:{org.id}")
    standard = {
        "code": "1X-PD",
        "title": "个人信息保护测试",
        "levels": ["junior"],
        "credits": {"junior": 1},
        "document_hash": DOCUMENT_HASH,
    }
    assert httpx.post(f"{url}/orgs/{org.id}/standards", json=standard, headers=issuer).is_success
    row: Callable[[int], dict[str, Any]] = lambda n: {  # noqa: E731
        "standard": "1X-PD",
        "level": "junior",
        "holder": holder(n),
    }
    records: list[str] = []
    accounts: dict[int, str] = {}
    for n in HOLDERS[:10]:
        issued = httpx.post(f"{url}/certificates", json=row(n), headers=issuer).json()
        records.append(issued["record"])
        accounts[n] = issued["account"]
    batch = httpx.post(
        f"{url}/certificates/batch",
        json={"batch_id": "pd-1", "rows": [row(n) for n in HOLDERS[10:30]]},
        headers=issuer,
        timeout=60,
    ).json()
    records += [c["record"] for c in batch["certificates"]]
    csv = "name,id_number,standard,level\n" + "".join(
        f"{holder_name(n)},{id_number(n)},1X-PD,junior\n" for n in HOLDERS[30:]
    )
    uploaded = httpx.post(
        f"{url}/certificates/batch.csv",
        params={"batch_id": "pd-2"},
        content=csv.encode(),
        headers={**issuer, "Content-Type": "text/csv"},
    ).json()
    records += [c["record"] for c in uploaded["certificates"]]
    # Bad requests carrying personal data: their answers and log lines must not repeat it.
    bad = {**row(HOLDERS[0]), "level": "senior"}
    refused = httpx.post(f"{url}/certificates", json=bad, headers=issuer)
    assert refused.status_code == 400
    mistyped = {
        **row(HOLDERS[1]),
        "holder": {**holder(HOLDERS[1]), "id_number": "61010219950101000X"},
    }
    assert httpx.post(f"{url}/certificates", json=mistyped, headers=issuer).status_code == 400
    assert all(secret.decode() not in refused.text for secret in secrets_of(HOLDERS[0]))
    lookup = httpx.post(
        f"{url}/lookup",
        json={"certificate": _certificate(records[0]), "name": holder_name(HOLDERS[0])},
    )
    assert lookup.json()["verdict"] == "valid"
    erased = httpx.delete(f"{url}/learners/{accounts[ERASED]}/personal-data", headers=office)
    assert erased.status_code == 200, erased.text
    return records, accounts[ERASED]


def _payload(record: str) -> bytes:
    """The header and payload of a record, decoded."""
    header, payload, _ = record.split(".")
    return (
        base64.urlsafe_b64decode(header + "==") + b"\n" + base64.urlsafe_b64decode(payload + "==")
    )


def _certificate(record: str) -> str:
    number: str = json.loads(_payload(record).split(b"\n")[1])["certificate"]
    return number


def test_no_personal_data_leaves_the_personal_data_store(
    serve: Callable[..., Served], tmp_path: Path
) -> None:
    served = serve(tmp_path / "data")
    records, _erased_account = issue_everything(served)
    assert len(records) == len(HOLDERS)
    ledger_bytes = b"\n".join(entries(served.url))
    record_bytes = b"\n".join(_payload(record) for record in records)
    assert httpx.get(f"{served.url}/certificates/{_certificate(records[5])}/qr.svg").is_success
    output = served.stop().encode()

    # Positive controls: the searches see the masked names, the certificates and the
    # requests the server logged, so an absence below means something.
    masked = holder_name(HOLDERS[3])[0].encode()
    assert masked + b"*" in record_bytes and masked + b"*" in ledger_bytes
    assert b"POST /certificates/batch" in output
    for n in HOLDERS:
        for secret in secrets_of(n):
            assert secret not in ledger_bytes, (n, "ledger")
            assert secret not in record_bytes, (n, "record")
            assert secret not in output, (n, "server output")

    # After the erasure the database files no longer hold the erased holder's data,
    # while they still hold everyone else's (in the personal-data store).
    files = b"".join(
        path.read_bytes() for path in (tmp_path / "data").glob("ledger.db*") if path.is_file()
    )
    for secret in secrets_of(ERASED)[:2]:
        assert secret not in files
    with sqlite3.connect(tmp_path / "data" / "ledger.db") as database:
        kept = database.execute(
            "SELECT count(*) FROM learner_identities WHERE id_number IS NOT NULL"
        ).fetchone()[0]
    assert kept == len(HOLDERS) - 1
    assert id_number(HOLDERS[-1]).encode() in files
