"""A batch's records are signed on the signing threads (ledger/storage/projections/
certificates.py): each must be its own certificate's, in row order, byte for byte what
signing it in one thread gives, and verify with an independent library."""

from __future__ import annotations

import json

from litestar import Litestar
from litestar.testing import TestClient

from ledger.bootstrap import Ledger
from ledger.core.jws import RecordSigner, parse_compact
from tests.api.conftest import TokenFor
from tests.api.test_qr import joserfc_verify
from tests.certificate_helpers import make_issuer

#: More than two chunks of 32, so two go to the threads and the rest is signed inline.
ROWS = 70


def test_records_signed_on_threads_are_each_certificates_own(
    client: TestClient[Litestar], token_for: TokenFor, ledger: Ledger
) -> None:
    issuer = make_issuer(ledger, "1X-THR")
    rows = [issuer.row(n) for n in range(700, 700 + ROWS)]
    response = client.post(
        "/certificates/batch",
        json={"batch_id": "threads-1", "rows": rows},
        headers=token_for(issuer.principal),
    )
    assert response.status_code == 201, response.text[:500]
    issued = response.json()["certificates"]
    assert len(issued) == ROWS

    jwks = client.get("/.well-known/jwks.json").json()
    inline = RecordSigner(ledger.log.signing_key())
    for certificate in issued:
        record = certificate["record"]
        claims = parse_compact(record).payload
        assert json.loads(claims)["certificate"] == certificate["certificate"]
        assert inline.sign(claims) == record  # deterministic: the same bytes in one thread
        joserfc_verify(record, jwks)
        stored = client.get(f"/certificates/{certificate['certificate']}/record")
        assert stored.status_code == 200 and record in stored.text
