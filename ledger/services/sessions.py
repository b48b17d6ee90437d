"""Console sessions as the web layer sees them: rows kept beside the ledger (not entries),
keyed by the SHA-256 of the session id; see ledger/storage/sessions.py."""

from __future__ import annotations

from ledger.storage.sessions import SessionRows, session_key

__all__ = ["SessionRows", "session_key"]
