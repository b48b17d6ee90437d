"""Who is calling: EdDSA bearer tokens signed by the service's own key, and API keys.

API-key issuance and every revocation are ledger entries; their projection (times from the
entries' timestamps) changes in the same unit of work, and the secret's hash beside it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from keys.folder import KeyFolder
from ledger.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    SigningKeyError,
    Unauthenticated,
)
from ledger.core.principals import Principal, Role
from ledger.core.signing import SigningKey, VerifyingKey
from ledger.kinds import Kind
from ledger.services.log import LogService
from ledger.storage.principals import (
    PrincipalStore,
    active_api_key_ids,
    api_key,
    principal_revoked_at,
)
from ledger.storage.unit_of_work import Draft

__all__ = [
    "API_KEY_ISSUED",
    "API_KEY_REVOKED",
    "API_KEY_TOKEN_TTL_SECONDS",
    "AUDIENCE",
    "DEFAULT_TTL_SECONDS",
    "PRINCIPAL_REVOKED",
    "NewApiKey",
    "Revocation",
    "TokenService",
    "api_key_id_of",
]

#: The ``aud`` of every token this service mints and the only one it accepts.
AUDIENCE = "certledger-api"
DEFAULT_TTL_SECONDS = 3600
#: Machine clients exchange their API key for short tokens.
API_KEY_TOKEN_TTL_SECONDS = 900
MAX_TTL_SECONDS = 7 * 24 * 3600
#: How far in the future ``nbf`` and ``iat`` may be, for clocks that differ a little.
CLOCK_LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ("exp", "iat", "nbf", "sub", "role", "jti", "aud", "iss")
#: Headers that point a verifier at keys chosen by the sender; keys come only from our folder.
KEY_HEADERS = frozenset({"jku", "x5u", "jwk", "x5c", "x5t", "x5t#S256"})
MAX_TOKEN_LENGTH = 4096

API_KEY_ISSUED = Kind.API_KEY_ISSUED
API_KEY_REVOKED = Kind.API_KEY_REVOKED
PRINCIPAL_REVOKED = Kind.PRINCIPAL_REVOKED
_API_KEY = re.compile(r"clk_(?P<key_id>[0-9a-f]{16})_[A-Za-z0-9_-]{43}", re.ASCII)
_KEY_ID = re.compile(r"[0-9a-f]{16}", re.ASCII)
_THUMBPRINT = re.compile(r"[A-Za-z0-9_-]{43}", re.ASCII)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*", re.ASCII)
# Principals tied to a registry object carry its id in a claim named after the role.
_ID_CLAIMS = {Role.ORG: "org", Role.SCHOOL: "school"}

#: Seconds since the epoch, as an integer.
Clock = Callable[[], int]


def _system_clock() -> int:
    return int(time.time())


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly issued API key: the secret is shown once, never stored, never in a repr."""

    key_id: str
    secret: str = field(repr=False)
    index: int


@dataclass(frozen=True, slots=True)
class Revocation:
    """A recorded revocation: tokens issued at or before ``revoked_at`` are refused."""

    principal: str
    revoked_at: int
    index: int


def api_key_id_of(secret: str) -> str | None:
    """The key id inside an API key secret ``clk_<key id>_<secret>``; None if malformed."""
    matched = _API_KEY.fullmatch(secret) if isinstance(secret, str) else None
    return None if matched is None else matched["key_id"]


def _hash_secret(secret: str) -> bytes:
    # A plain SHA-256 is right: the secret holds 256 random bits; a slow hash adds nothing.
    return hashlib.sha256(secret.encode("utf-8")).digest()


def _unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, read before anything is trusted; Unauthenticated."""
    parts = token.split(".")
    if len(parts) != 3 or not all(_BASE64URL.fullmatch(part) for part in parts):
        raise Unauthenticated("malformed token: not three base64url parts (a signed JWT)")
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (ValueError, RecursionError) as exc:  # binascii.Error, JSONDecodeError; deep nesting
        raise Unauthenticated("malformed token: its header is not base64url JSON") from exc
    if not isinstance(header, dict):
        raise Unauthenticated("malformed token: its header is not a JSON object")
    return header


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


class TokenService:
    """Mint and verify bearer tokens; issue, exchange and revoke API keys; revoke principals."""

    def __init__(
        self,
        log: LogService,
        principals: PrincipalStore,
        keys: KeyFolder,
        issuer: str,
        clock: Clock = _system_clock,
    ) -> None:
        self.log = log
        self.principals = principals
        self.keys = keys
        self.issuer = issuer
        self.clock = clock
        self._public_keys: dict[str, Ed25519PublicKey] = {}

    # -- the service key ---------------------------------------------------------

    def ensure_key(self) -> bool:
        """Create the token signing key unless the folder has one; True if it was created."""
        if self.keys.kids():
            return False
        self.keys.create()
        return True

    def signing_key(self) -> SigningKey:
        """The active token key: the newest file; SigningKeyError if there is none."""
        kids = self.keys.kids()
        if not kids:
            raise SigningKeyError("no token signing key yet: the first `certledger serve` makes it")
        return self.keys.load(kids[-1])

    def verifying_keys(self) -> list[VerifyingKey]:
        """Public keys of every token key in the folder, oldest first."""
        return [self.keys.load(kid).public for kid in self.keys.kids()]

    # -- tokens --------------------------------------------------------------------

    def mint(
        self,
        principal: Principal,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        api_key_id: str | None = None,
    ) -> str:
        """A bearer token for ``principal`` valid ``ttl_seconds`` from now (1 s to 7 days)."""
        if not isinstance(ttl_seconds, int) or not 0 < ttl_seconds <= MAX_TTL_SECONDS:
            raise InvalidInput(f"token lifetime must be 1 to {MAX_TTL_SECONDS} seconds")
        key = self.signing_key()
        now = self.clock()
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": str(principal),
            "role": principal.role.value,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_seconds,
            "jti": _b64url(secrets.token_bytes(16)),
        }
        if principal.role in _ID_CLAIMS:
            claims[_ID_CLAIMS[principal.role]] = principal.id
        if api_key_id is not None:
            claims["akid"] = api_key_id
        header = {"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        )
        return f"{signing_input}.{_b64url(key.sign(signing_input.encode('ascii')))}"

    def verify(self, token: str) -> Principal:
        """The principal a token names; Unauthenticated saying why when it is refused."""
        claims = self._decode(token)
        principal = self._principal_of(claims)
        revoked_at, record = self.principals.standing(str(principal), claims.get("akid"))
        if revoked_at is not None and claims["iat"] <= revoked_at:
            raise Unauthenticated("token of a revoked principal (issued before its revocation)")
        if "akid" in claims:
            if record is None or record.revoked_at is not None:
                raise Unauthenticated("token from a revoked API key")
            if record.principal != str(principal):
                raise Unauthenticated("token subject does not match its API key")
        return principal

    def _decode(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or not token:
            raise Unauthenticated("empty bearer token")
        if len(token) > MAX_TOKEN_LENGTH:
            raise Unauthenticated(f"token longer than {MAX_TOKEN_LENGTH} characters")
        key = self._check_header(_unverified_header(token))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                issuer=self.issuer,
                # Times are checked below against the service's clock, not PyJWT's.
                options={
                    "require": list(REQUIRED_CLAIMS),
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_sub": False,  # sub and jti are checked in _principal_of
                    "verify_jti": False,
                    "strict_aud": True,
                },
            )
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"token lacks the {exc.claim!r} claim") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthenticated(f"token audience is not {AUDIENCE}") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthenticated("token issuer is not this service") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthenticated("token signature does not verify") from exc
        except jwt.DecodeError as exc:
            raise Unauthenticated("malformed token") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"token refused: {exc}") from exc
        self._check_times(claims)
        return claims

    def _check_header(self, header: Mapping[str, Any]) -> Ed25519PublicKey:
        algorithm = header.get("alg")
        if algorithm != "EdDSA":
            raise Unauthenticated(f"token algorithm {_shown(algorithm)} refused: only EdDSA")
        pointers = sorted(KEY_HEADERS.intersection(header))
        if pointers:
            raise Unauthenticated(
                f"token header {pointers[0]!r} refused: keys never come from the token"
            )
        if "crit" in header:
            raise Unauthenticated("token header 'crit' refused: no extensions are understood")
        if header.get("typ", "JWT") != "JWT":
            raise Unauthenticated(f"token type {_shown(header.get('typ'))} refused: only JWT")
        kid = header.get("kid")
        if not isinstance(kid, str) or not _THUMBPRINT.fullmatch(kid):
            raise Unauthenticated("token has no valid kid header")
        return self._public_key(kid)

    def _public_key(self, kid: str) -> Ed25519PublicKey:
        if kid not in self._public_keys:
            # The kid is a thumbprint (checked), so it can only name a file in our folder.
            try:
                raw = self.keys.load(kid).public.raw
            except SigningKeyError as exc:
                raise Unauthenticated("token signed by an unknown key") from exc
            self._public_keys[kid] = Ed25519PublicKey.from_public_bytes(raw)
        return self._public_keys[kid]

    def _check_times(self, claims: Mapping[str, Any]) -> None:
        for name in ("exp", "iat", "nbf"):
            if type(claims[name]) is not int:
                raise Unauthenticated(f"token claim {name!r} is not an integer")
        now = self.clock()
        if claims["exp"] <= now:
            raise Unauthenticated("token expired")
        if claims["nbf"] > now + CLOCK_LEEWAY_SECONDS:
            raise Unauthenticated("token not yet valid (nbf is in the future)")
        if claims["iat"] > now + CLOCK_LEEWAY_SECONDS:
            raise Unauthenticated("token not yet valid (issued in the future)")
        lifetime = claims["exp"] - min(claims["iat"], claims["nbf"])  # capped when verifying too
        if lifetime > MAX_TTL_SECONDS:
            raise Unauthenticated(f"token lifetime longer than {MAX_TTL_SECONDS} seconds")

    @staticmethod
    def _principal_of(claims: Mapping[str, Any]) -> Principal:
        for name in ("sub", "role", "jti"):
            if not isinstance(claims[name], str) or not claims[name]:
                raise Unauthenticated(f"token claim {name!r} is not a string")
        try:
            principal = Principal.parse(claims["sub"])
        except InvalidInput as exc:
            raise Unauthenticated(f"token subject is not a principal: {exc}") from exc
        if claims["role"] != principal.role.value:
            raise Unauthenticated("token role does not match its subject")
        for role, claim in _ID_CLAIMS.items():
            expected = principal.id if principal.role is role else None
            if claims.get(claim) != expected:
                raise Unauthenticated(f"token {claim!r} claim does not match its subject")
        if "akid" in claims and not isinstance(claims["akid"], str):
            raise Unauthenticated("token claim 'akid' is not a string")
        return principal

    # -- API keys ------------------------------------------------------------------

    def create_api_key(self, principal: Principal, by: Principal | None = None) -> NewApiKey:
        """Issue an API key for ``principal``, acting as ``by`` (default: the principal).

        Only the office may issue keys for another principal; auditors and learners may
        issue none (Forbidden). The entry ``api_key.issued`` never holds the secret.
        """
        actor = principal if by is None else by
        if actor.role in (Role.AUDITOR, Role.LEARNER):
            raise Forbidden(f"a {actor.role} may not create API keys")
        if actor != principal and actor.role is not Role.OFFICE:
            raise Forbidden("only the office may create API keys for another principal")
        key_id = secrets.token_hex(8)
        secret = f"clk_{key_id}_{secrets.token_urlsafe(32)}"
        payload = {"key_id": key_id, "principal": str(principal)}
        draft = Draft(Kind.API_KEY_ISSUED, str(actor), payload, _hash_secret(secret))
        with self.log.unit_of_work() as uow:
            [entry] = uow.append(draft)
            uow.commit()
        return NewApiKey(key_id, secret, entry.index)

    def exchange(self, secret: str) -> str:
        """A short-lived token for the API key's principal; Unauthenticated if refused."""
        key_id = api_key_id_of(secret)
        if key_id is None:
            raise Unauthenticated("not an API key: expected clk_<key id>_<secret>")
        record = self.principals.api_key(key_id)
        # Compare even for an unknown id, so both answers take the same time.
        expected = record.secret_hash if record is not None else bytes(32)
        if not hmac.compare_digest(_hash_secret(secret), expected) or record is None:
            raise Unauthenticated("API key not recognised")
        if record.revoked_at is not None:
            raise Unauthenticated("API key revoked")
        principal = Principal.parse(record.principal)
        return self.mint(principal, API_KEY_TOKEN_TTL_SECONDS, api_key_id=key_id)

    def revoke_api_key(self, key_id: str, by: Principal) -> int:
        """Revoke an API key (the office, or the key's own principal); the entry's index.

        NotFound for an unknown key, Forbidden for anyone else, Conflict if already revoked.
        """
        record = self.principals.api_key(key_id) if _KEY_ID.fullmatch(key_id) else None
        if record is None:
            raise NotFound(f"no API key {_shown(key_id)}")
        if by.role is not Role.OFFICE and str(by) != record.principal:
            raise Forbidden("only the office or the key's own principal may revoke an API key")
        if record.revoked_at is not None:
            raise Conflict(f"API key {key_id} is already revoked")
        with self.log.unit_of_work() as uow:
            current = api_key(uow.connection, key_id)
            if current is None or current.revoked_at is not None:
                raise Conflict(f"API key {key_id} is already revoked")
            [entry] = uow.append(Draft(Kind.API_KEY_REVOKED, str(by), {"key_id": key_id}))
            uow.commit()
        return entry.index

    def revoke_principal(self, principal: Principal, by: Principal) -> Revocation:
        """Refuse every token of ``principal`` issued until now, and revoke its API keys.

        Office only (Forbidden otherwise). Revoking again moves the time; tokens minted
        afterwards work, which is how the office re-issues credentials.
        """
        if by.role is not Role.OFFICE:
            raise Forbidden("only the office may revoke a principal")
        name, actor = str(principal), str(by)
        with self.log.unit_of_work() as uow:
            # Under the write lock: no key can be issued between this read and the append.
            key_ids = active_api_key_ids(uow.connection, name)
            drafts = [Draft(Kind.PRINCIPAL_REVOKED, actor, {"principal": name})]
            drafts += [Draft(Kind.API_KEY_REVOKED, actor, {"key_id": k}) for k in key_ids]
            [entry, *_keys] = uow.append(*drafts)
            revoked_at = principal_revoked_at(uow.connection, name)
            uow.commit()
        assert revoked_at is not None
        return Revocation(name, revoked_at, entry.index)
