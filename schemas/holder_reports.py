"""Wire types of verification reports: what a learner sends to create one, and what they
see of theirs (the code included: only the holder reads these)."""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["ReportRequest", "ReportView"]


class ReportRequest(msgspec.Struct, forbid_unknown_fields=True):
    """``POST /learner/reports``: a certificate of the caller's and the days (30 to 180)."""

    certificate: str
    days: int


class ReportView(msgspec.Struct):
    """One report of the caller's: its code (``XXXX-XXXX-XXXX-XXXX``), the page it opens,
    its PDF, its validity and its state."""

    report: str
    certificate: str
    code: str
    url: str
    pdf: str
    days: int
    created_at: str
    valid_until: str
    state: Literal["valid", "expired", "withdrawn"]
    created_index: int
    withdrawn_index: int | None = None
