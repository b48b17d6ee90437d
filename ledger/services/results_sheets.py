"""Results sheets an organization's clerk uploads for one assessment: ``preview`` checks
every row (a candidate of the assessment, a score 0 to 100, passed yes or no) and keeps a
good sheet; ``confirm`` records the results through the pilot service, once."""

from __future__ import annotations

import secrets
import time
from typing import Any

from ledger.core.errors import Forbidden, NotFound
from ledger.core.principals import Principal, Role
from ledger.domain.certificates import InvalidRows
from ledger.domain.csv_uploads import read_rows
from ledger.domain.pilot import Result
from ledger.domain.registry import InvalidField
from ledger.services.pilot import PilotService
from ledger.services.uploads import MAX_ROWS, Preview, Problem, exc_total
from ledger.storage.org_lists import OrgLists
from ledger.storage.uploads import Upload, Uploads

RESULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "account": ("account", "学习账号", "学习账户"),
    "score": ("score", "成绩", "分数"),
    "passed": ("passed", "通过", "是否通过"),
}
_YES = {"yes", "y", "true", "1", "是", "通过"}
_NO = {"no", "n", "false", "0", "否", "不通过", "未通过"}


class ResultsSheets:
    """Check, keep and record results sheets of an organization's assessments."""

    def __init__(self, pilot: PilotService, lists: OrgLists, uploads: Uploads) -> None:
        self.pilot = pilot
        self.lists = lists
        self.uploads = uploads

    def _own(self, actor: Principal, assessment: str) -> dict[str, Any]:
        record = self.pilot.reads.assessment(assessment)
        if record is None:
            raise NotFound(f"there is no assessment {assessment}")
        if actor.role is not Role.ORG or actor.id != record["org"]:
            raise Forbidden(f"only organization {record['org']} records results of {assessment}")
        return record

    def preview(self, actor: Principal, assessment: str, data: bytes) -> Preview:
        """Check every row of a CSV sheet of results for ``assessment``."""
        self._own(actor, assessment)
        try:
            rows = read_rows(data, RESULT_COLUMNS, tuple(RESULT_COLUMNS))
        except InvalidRows as exc:
            named = [Problem(p.row, p.field, p.problem) for p in exc.problems]
            return Preview(None, "results", exc_total(exc), named)
        except InvalidField as exc:
            return Preview(None, "results", 0, [Problem(0, exc.field, exc.problem)])
        if not rows or len(rows) > MAX_ROWS:
            return Preview(None, "results", len(rows), [Problem(0, "file", "holds no rows")])
        enrolled = {c["account"]: c for c in self.lists.candidates(assessment)}
        problems: list[Problem] = []
        checked: list[dict[str, Any]] = []
        seen: set[str] = set()
        for number, row in enumerate(rows, start=1):
            account = row.get("account", "").strip().upper()
            score_text = row.get("score", "").strip()
            passed_text = row.get("passed", "").strip().lower()
            if account not in enrolled:
                problems.append(Problem(number, "account", "is not a candidate of this assessment"))
            elif account in seen:
                problems.append(Problem(number, "account", "is named twice"))
            elif enrolled[account]["result_index"] is not None:
                problems.append(Problem(number, "account", "has a result already"))
            seen.add(account)
            if not score_text.isdigit() or not 0 <= int(score_text) <= 100:
                problems.append(Problem(number, "score", "must be a whole number 0 to 100"))
            if passed_text not in _YES | _NO:
                problems.append(Problem(number, "passed", "must be yes or no (是 or 否)"))
            if not problems or problems[-1].row != number:
                checked.append(
                    {
                        "assessment": assessment,
                        "account": account,
                        "score": int(score_text),
                        "passed": passed_text in _YES,
                    }
                )
        if problems:
            return Preview(None, "results", len(rows), problems)
        upload = "U" + secrets.token_hex(12)
        self.uploads.add(upload, str(actor.party()), "results", checked, int(time.time()))
        return Preview(upload, "results", len(rows), [])

    def get(self, actor: Principal, upload: str) -> Upload | None:
        """The organization's results upload ``upload``; None for anyone else's."""
        stored = self.uploads.get(upload, str(actor.party()))
        return stored if stored is not None and stored.kind == "results" else None

    def confirm(self, actor: Principal, upload: str) -> dict[str, Any]:
        """Record the results of the upload, once; a second confirmation records nothing."""
        stored = self.get(actor, upload)
        if stored is None:
            raise NotFound("there is no such upload")
        if not self.uploads.claim(upload, int(time.time())):
            return {"recorded": 0, "again": True}
        assessment = stored.rows[0]["assessment"]
        results = [Result(r["account"], r["score"], r["passed"]) for r in stored.rows]
        try:
            recorded = self.pilot.record_results(actor, assessment, results)
        except Exception:
            self.uploads.settle(upload, None)
            raise
        outcome = {"recorded": len(recorded), "assessment": assessment}
        self.uploads.settle(upload, outcome)
        return outcome
