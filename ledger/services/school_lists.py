"""The lists of a school's console and API (students, credits, conversions), as the web
layer reads them; see ledger/storage/school_lists.py."""

from __future__ import annotations

from ledger.storage.school_lists import MAX_EXPORT_ROWS, SchoolLists

__all__ = ["MAX_EXPORT_ROWS", "SchoolLists"]
