"""The documents of certificate standards: checked (size, type by content), hashed and kept
beside the ledger, whose ``standard.published`` entry carries only their SHA-256.

A document is kept only for a standard whose ``document_hash`` it matches, so every file
served is one the ledger vouches for."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from ledger.core.errors import Forbidden, InvalidInput
from ledger.core.principals import Principal, Role
from ledger.domain.registry import InvalidField, Standard
from ledger.services.registry import Recorded, RegistryService
from ledger.storage.learner_access import LearnerAccessRepository, StandardDocument
from ledger.storage.registry import ensure_active_org

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "CheckedDocument",
    "StandardDocument",
    "StandardDocuments",
    "check_document",
]

MAX_DOCUMENT_BYTES = 10 * 1_048_576
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Accepted documents by extension: the bytes they must start with, and their media type.
DOCUMENT_TYPES = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".docx": (b"PK\x03\x04", DOCX_TYPE),
}


@dataclass(frozen=True, slots=True)
class CheckedDocument:
    """A document that passed the checks, with its media type and SHA-256 (hex)."""

    filename: str
    media_type: str
    content: bytes
    sha256: str


def check_document(filename: str, content: bytes) -> CheckedDocument:
    """A PDF or .docx file of 1 byte to 10 MiB whose content is what its name says;
    InvalidField("document", ...) saying what is wrong otherwise."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    # Nothing that could break a header or a path: quotes, slashes, any unprintable.
    name = "".join(c if c.isprintable() and c not in '"\\/' else "_" for c in base)
    name = name.strip()[-200:]
    if not content:
        raise InvalidField("document", "is missing or empty: choose a PDF or .docx file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidField(
            "document", f"is {len(content)} bytes, more than the {MAX_DOCUMENT_BYTES} allowed"
        )
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in DOCUMENT_TYPES:
        raise InvalidField("document", "must be a PDF (.pdf) or Word (.docx) file")
    magic, media_type = DOCUMENT_TYPES[extension]
    if not content.startswith(magic):
        raise InvalidField("document", f"is named {extension} but its content is not one")
    return CheckedDocument(name, media_type, content, hashlib.sha256(content).hexdigest())


class StandardDocuments:
    """Publish a standard with its document, attach a document, read it back."""

    def __init__(self, registry: RegistryService, store: LearnerAccessRepository) -> None:
        self.registry = registry
        self.store = store

    def publish(self, actor: Principal, standard: Standard, document: CheckedDocument) -> Recorded:
        """Publish ``standard`` (whose document_hash must be the document's) and keep the
        document. The checks all come first: a refused publication keeps nothing."""
        if standard.document_hash != document.sha256:
            raise InvalidInput("the standard's document_hash is not the document's SHA-256")
        recorded = self.registry.publish_standard(actor, standard)
        self._keep(actor, document)
        return recorded

    def attach(self, actor: Principal, code: str, document: CheckedDocument) -> None:
        """Keep the document of the published standard ``code``: only its organization,
        while registered (Forbidden saying why otherwise), and only the document whose
        SHA-256 the standard was published with."""
        record = self.registry.standard(code)
        if actor.role is not Role.ORG or actor.id != record.org:
            raise Forbidden(f"only organization {record.org} uploads the document of {code}")
        with self.store.engine.connect() as connection:
            ensure_active_org(connection, record.org)  # a suspended organization writes nothing
        if record.document_hash != document.sha256:
            raise InvalidField(
                "document",
                f"has SHA-256 {document.sha256}, not the {record.document_hash} "
                f"standard {code} was published with",
            )
        self._keep(actor, document)

    def document(self, code: str) -> StandardDocument | None:
        """The document of standard ``code`` (NotFound for no such standard), or None when
        it was never uploaded."""
        return self.store.document(self.registry.standard(code).document_hash)

    def _keep(self, actor: Principal, document: CheckedDocument) -> None:
        self.store.add_document(
            document.sha256,
            document.filename,
            document.media_type,
            document.content,
            str(actor.party()),
            int(time.time()),
        )
