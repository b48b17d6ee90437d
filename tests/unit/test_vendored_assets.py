"""The JavaScript Ed25519 the verification page falls back on is the pinned npm package,
unchanged: each committed file matches the integrity its provenance note records."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "api" / "pages" / "static"


def test_noble_ed25519_matches_its_pinned_integrity() -> None:
    note = json.loads((STATIC / "noble-ed25519.json").read_text(encoding="utf-8"))
    assert (note["package"], note["version"], note["license"]) == ("@noble/ed25519", "3.2.0", "MIT")
    assert note["tarball_integrity"].startswith("sha512-")
    assert set(note["files"]) == {"noble-ed25519.js", "noble-ed25519.LICENSE.txt"}
    for name, entry in note["files"].items():
        digest = hashlib.sha256((STATIC / name).read_bytes()).digest()
        assert entry["integrity"] == "sha256-" + base64.b64encode(digest).decode(), name
    licence = (STATIC / "noble-ed25519.LICENSE.txt").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Paul Miller" in licence
    source = (STATIC / "noble-ed25519.js").read_text(encoding="utf-8")
    assert "export const verifyAsync" in source or "verifyAsync" in source
