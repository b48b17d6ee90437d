"""One tree of errors for the ledger, each carrying the data a user needs.

    LedgerError
    ├── InvalidInput                 bad arguments from a caller (HTTP 400)
    │   ├── RangeError               an index, size or range outside the tree
    │   ├── InvalidField             a value breaking a registry rule (ledger.domain.registry)
    │   ├── InvalidRows              rows of an issuance breaking rules (ledger.domain.certificates)
    │   ├── ConversionRefused        a conversion the rules forbid (ledger.domain.credit_bank)
    │   ├── ConversionRows           rows of a conversion batch refused (ledger.domain.credit_bank)
    │   ├── BadJwks                  a JWKS unusable as the verifier's anchor (ledger.audit.records)
    │   └── SettingsError            a variable of the environment unusable (ledger.settings)
    ├── EncodingError                a value that has no canonical encoding
    ├── VerificationError            something that should verify does not
    │   ├── ProofError               an inclusion or consistency proof fails
    │   ├── RootMismatch             a recomputed root differs from a signed one
    │   ├── BadSignature             a note or record signature does not verify
    │   ├── MalformedNote            a checkpoint, note or vkey that does not parse
    │   └── MalformedRecord          a record that is not a compact JWS of ours (ledger.core.jws)
    ├── SigningKeyError              a signing key missing, unreadable or not Ed25519
    │   └── BehindPublished          the database is behind a published checkpoint (keys.published)
    ├── Unauthenticated              no credentials, or credentials refused (HTTP 401)
    ├── Forbidden                    an authenticated principal may not do this (HTTP 403)
    ├── NotFound                     no such object (HTTP 404)
    ├── Conflict                     the object exists already or is in the wrong state (409)
    ├── RateLimited                  too many requests from one principal (HTTP 429)
    ├── KeyAlreadyActive             another process created the first key (ledger.services.log)
    └── _Replayed                    a batch issued meanwhile (ledger.services.certificates)

Classes defined elsewhere name their module; tests/unit/test_error_tree.py checks that every
subclass in the project is drawn here, under its own base.
The API maps these to HTTP status codes in one place (api/errors.py).
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every error the ledger raises on purpose."""


class InvalidInput(LedgerError):
    """A caller passed arguments that can never be valid."""


class RangeError(InvalidInput):
    """An index, tree size or entry range that the tree does not have."""


class EncodingError(LedgerError):
    """A value that cannot be encoded canonically (floats, non-string keys, ...)."""


class VerificationError(LedgerError):
    """Something that should verify does not."""


class ProofError(VerificationError):
    """An inclusion or consistency proof does not verify."""


class RootMismatch(VerificationError):
    """A recomputed Merkle root differs from the one a checkpoint commits to."""

    def __init__(self, tree_size: int, expected: bytes, got: bytes) -> None:
        self.tree_size = tree_size
        self.expected = expected
        self.got = got
        super().__init__(
            f"root mismatch at tree size {tree_size}: "
            f"expected {expected.hex()}, computed {got.hex()}"
        )


class BadSignature(VerificationError):
    """A signature that does not verify under any known key."""


class MalformedNote(VerificationError):
    """A checkpoint, signed note or verifier key that does not parse."""


class SigningKeyError(LedgerError):
    """A signing key that is missing, unreadable or not Ed25519."""


class Unauthenticated(LedgerError):
    """No credentials, or credentials that are refused (expired, forged, revoked ...)."""


class Forbidden(LedgerError):
    """The principal is known but may not do this; the message says why."""


class NotFound(LedgerError):
    """The object named does not exist."""


class Conflict(LedgerError):
    """The object exists already, or its state does not allow the change."""


class RateLimited(LedgerError):
    """A principal sent more requests than its allowance; retry after ``retry_after`` s."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)
