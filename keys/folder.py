"""A folder of Ed25519 private keys in PKCS#8 PEM files named by their key id.

The ledger decides which key is active (its key entries); this folder only keeps
the secrets, refusing files that others could read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ledger.core.errors import SigningKeyError
from ledger.core.signing import SigningKey

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


class KeyFolder:
    """Private signing keys on disk, one ``<kid>.pem`` file each."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: dict[str, SigningKey] = {}

    def create(self) -> SigningKey:
        """Generate a key and write it with mode 0600; the folder is made 0700 if new."""
        self.path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        os.chmod(self.path, PRIVATE_DIR_MODE)
        key = SigningKey.generate()
        target = self.path / f"{key.kid}.pem"
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key.to_pem())
            handle.flush()
            os.fsync(handle.fileno())
        self._cache[key.kid] = key
        return key

    def kids(self) -> list[str]:
        """Ids of the key files here, oldest file first (by modification time, then name)."""
        if not self.path.is_dir():
            return []
        files = [(entry.stat().st_mtime_ns, entry.stem) for entry in self.path.glob("*.pem")]
        return [kid for _mtime, kid in sorted(files)]

    def load(self, kid: str) -> SigningKey:
        """The private key with id ``kid``; SigningKeyError if absent, exposed or corrupt."""
        if kid in self._cache:
            return self._cache[kid]
        target = self.path / f"{kid}.pem"
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError as exc:
            raise SigningKeyError(
                f"no private key file for key {kid} in {self.path.name}/"
            ) from exc
        if mode & 0o077:
            raise SigningKeyError(
                f"key file {target.name} is readable by others (mode {mode:o}); chmod 600 it"
            )
        key = SigningKey.from_pem(target.read_bytes())
        if key.kid != kid:
            raise SigningKeyError(f"key file {target.name} holds key {key.kid}, not {kid}")
        self._cache[kid] = key
        return key

    def discard(self, kid: str) -> None:
        """Remove a key file that never became active (a lost first-run race)."""
        self._cache.pop(kid, None)
        (self.path / f"{kid}.pem").unlink(missing_ok=True)
