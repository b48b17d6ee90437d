"""Sheets of certificates an organization's clerk uploads to issue as one batch: ``preview``
checks every row as the issuance would and keeps a good sheet; ``confirm`` issues it as a
batch named after the upload, once (the school's upload machinery, ledger/services/uploads.py
and ledger/storage/uploads.py, with the certificate service's own checks)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from ledger.core.errors import Forbidden, NotFound
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import InvalidRows
from ledger.domain.csv_uploads import parse_rows
from ledger.domain.registry import InvalidField
from ledger.services.certificates import MAX_BATCH_ROWS, CertificateService
from ledger.services.uploads import Preview, Problem, exc_total
from ledger.storage.uploads import Upload, Uploads

KIND = "certificates"


class IssueSheets:
    """Check, keep and issue sheets of certificates of an organization's standards."""

    def __init__(self, certificates: CertificateService, uploads: Uploads) -> None:
        self.certificates = certificates
        self.uploads = uploads

    def preview(self, actor: Principal, data: bytes) -> Preview:
        """Check every row of a CSV sheet (UTF-8 or GB 18030; convert .xlsx first) with the
        columns of ``POST /certificates/batch.csv``; keep it when no row has a problem."""
        if actor.role is not Role.ORG or actor.id is None:
            raise Forbidden(f"only organizations issue certificates; {actor} may not")
        try:
            rows = parse_rows(data)
        except InvalidRows as exc:
            named = [Problem(p.row, p.field, p.problem) for p in exc.problems]
            return Preview(None, KIND, exc_total(exc), named)
        except InvalidField as exc:
            return Preview(None, KIND, 0, [Problem(0, exc.field, exc.problem)])
        if not rows:
            return Preview(None, KIND, 0, [Problem(0, "file", "holds no rows")])
        if len(rows) > MAX_BATCH_ROWS:
            too_many = Problem(0, "file", f"holds more than {MAX_BATCH_ROWS} rows")
            return Preview(None, KIND, len(rows), [too_many])
        problems = self.certificates.check_rows(actor, rows)
        if problems:
            named = [Problem(p.row, p.field, p.problem) for p in problems]
            return Preview(None, KIND, len(rows), named)
        upload = "U" + secrets.token_hex(12)
        self.uploads.add(upload, str(actor.party()), KIND, rows, int(time.time()))
        return Preview(upload, KIND, len(rows), [])

    def get(self, actor: Principal, upload: str) -> Upload | None:
        """The organization's certificate sheet ``upload``; None for anyone else's."""
        stored = self.uploads.get(upload, str(actor.party()))
        return stored if stored is not None and stored.kind == KIND else None

    def confirm(self, actor: Principal, upload: str) -> dict[str, Any]:
        """Issue the sheet as batch ``upload``, once: a second confirmation issues nothing
        and answers the first result with ``replayed`` true."""
        stored = self.get(actor, upload)
        if stored is None:
            raise NotFound("there is no such upload")
        if not self.uploads.claim(upload, int(time.time())):
            again = self.get(actor, upload)
            result = dict(again.result or {}) if again is not None else {}
            return {**result, "replayed": True}
        try:
            outcome = self.certificates.issue_batch(actor, upload, stored.rows)
        except Exception:
            # The batch is all or none, so nothing was issued: the clerk may try again.
            self.uploads.settle(upload, None)
            raise
        result = {"recorded": len(outcome.certificates), "batch": upload}
        self.uploads.settle(upload, result)
        return {**result, "replayed": False}
