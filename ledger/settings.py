"""Settings from the environment, with the defaults a fresh machine needs.

Every variable is documented in README.md; nothing here touches the disk.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_network
from pathlib import Path

from ledger.core.checkpoint import origin_from_url
from ledger.core.errors import InvalidInput


class SettingsError(InvalidInput):
    """An environment variable with a value the service cannot use."""


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` requests in any ``seconds`` seconds, written ``requests/seconds``."""

    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str, variable: str = "LEDGER_RATE_LIMIT") -> RateLimit:
        """Read ``N/S`` (both positive integers); SettingsError naming ``variable`` otherwise."""
        requests, slash, seconds = text.strip().partition("/")
        if not (slash and requests.isdigit() and seconds.isdigit()):
            raise SettingsError(f"{variable} must be REQUESTS/SECONDS such as 600/60, not {text!r}")
        if int(requests) < 1 or int(seconds) < 1:
            raise SettingsError(f"{variable} needs at least 1 request per at least 1 second")
        return cls(int(requests), int(seconds))

    def __str__(self) -> str:
        return f"{self.requests}/{self.seconds}"


#: Requests one authenticated principal may make per window, per server process.
DEFAULT_RATE_LIMIT = RateLimit(600, 60)


def parse_trusted_proxies(text: str) -> tuple[str, ...]:
    """Addresses or networks separated by commas (``10.0.0.5, 192.168.0.0/24``), as networks
    in CIDR notation; SettingsError naming LEDGER_TRUSTED_PROXIES for anything else."""
    networks: list[str] = []
    for part in text.split(","):
        if not part.strip():
            continue
        try:
            networks.append(str(ip_network(part.strip(), strict=False)))
        except ValueError as exc:
            raise SettingsError(
                f"LEDGER_TRUSTED_PROXIES must list IP addresses or networks, not {part.strip()!r}"
            ) from exc
    return tuple(networks)


@dataclass(frozen=True)
class Settings:
    """Where the data lives, which database, and where the service is reached."""

    data_dir: Path
    database_url: str
    host: str
    port: int
    public_url: str
    rate_limit: RateLimit = DEFAULT_RATE_LIMIT
    #: Proxies whose X-Forwarded-For names the client (LEDGER_TRUSTED_PROXIES): networks in
    #: CIDR notation (``10.0.0.5/32``); none by default.
    trusted_proxies: tuple[str, ...] = ()

    @property
    def keys_dir(self) -> Path:
        """Folder of the private signing keys (mode 0700, files 0600)."""
        return self.data_dir / "keys"

    @property
    def token_keys_dir(self) -> Path:
        """Folder of the service keys that sign bearer tokens (never the ledger's key)."""
        return self.data_dir / "keys" / "tokens"

    @property
    def origin(self) -> str:
        """Checkpoint origin and note key name: the public URL without its scheme."""
        return origin_from_url(self.public_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read ``LEDGER_*`` variables; SettingsError names the variable that is wrong."""
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("LEDGER_DATA_DIR") or "data").absolute()
        database_url = env.get("LEDGER_DATABASE_URL") or f"sqlite+pysqlite:///{data_dir}/ledger.db"
        if not database_url.startswith(("sqlite", "postgresql+psycopg://")):
            raise SettingsError(
                "LEDGER_DATABASE_URL must be a sqlite URL or start with postgresql+psycopg://"
            )
        host = env.get("LEDGER_HOST") or "127.0.0.1"
        port_text = env.get("LEDGER_PORT") or "8000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"LEDGER_PORT must be a port number, not {port_text!r}")
        port = int(port_text)
        public_url = (env.get("LEDGER_PUBLIC_URL") or f"http://{host}:{port}").rstrip("/")
        if not public_url.startswith(("http://", "https://")):
            raise SettingsError("LEDGER_PUBLIC_URL must start with http:// or https://")
        rate_limit = RateLimit.parse(env.get("LEDGER_RATE_LIMIT") or str(DEFAULT_RATE_LIMIT))
        proxies = parse_trusted_proxies(env.get("LEDGER_TRUSTED_PROXIES") or "")
        settings = cls(data_dir, database_url, host, port, public_url, rate_limit, proxies)
        try:
            settings.origin  # noqa: B018 - validate now, not at the first checkpoint
        except InvalidInput as exc:
            raise SettingsError(f"LEDGER_PUBLIC_URL: {exc}") from exc
        return settings
