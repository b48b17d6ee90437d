"""A certificate standard's document over HTTP, as a mixin of the standards' controller:
``PUT /standards/{code}/document?filename=`` (the organization, the file whose SHA-256 the
standard was published with) and ``GET /standards/{code}/document`` (anyone)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from litestar import Response, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, RawBody
from litestar.status_codes import HTTP_200_OK, HTTP_404_NOT_FOUND, HTTP_413_REQUEST_ENTITY_TOO_LARGE

from api.errors import error_spec
from api.params import fields_named, path_checked
from api.registry import READ_ERRORS, WRITE_ERRORS
from ledger.bootstrap import Ledger
from ledger.core.errors import NotFound
from ledger.core.principals import Principal
from ledger.domain.registry import check_standard_code
from ledger.services.standard_documents import (
    MAX_DOCUMENT_BYTES,
    StandardDocument,
    check_document,
)

__all__ = ["StandardDocumentMixin", "document_response"]


def document_response(document: StandardDocument) -> Response[bytes]:
    """The document as a download with its media type and (RFC 6266) its file name."""
    ascii_name = document.filename.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": (
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''"
                f"{quote(document.filename, safe='')}"
            ),
            "Cache-Control": "public, max-age=86400, immutable",
            "ETag": f'"{document.sha256}"',
        },
    )


class StandardDocumentMixin:
    """The document of a certificate standard: upload and download."""

    @put(
        "/{code:str}/document",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        request_max_body_size=MAX_DOCUMENT_BYTES + 1,
        summary="Upload a standard's document",
        description=(
            "The standard's organization. The body is the file (a PDF or .docx, at most "
            "10 MiB, its type told by its content and the extension of ``filename``); it "
            "must be the document whose SHA-256 the standard was published with "
            "(document_hash). Answers {code, sha256, media_type}; a repeat changes nothing."
        ),
        responses={
            **WRITE_ERRORS,
            HTTP_404_NOT_FOUND: error_spec("No such standard."),
            HTTP_413_REQUEST_ENTITY_TOO_LARGE: error_spec("The file is over 10 MiB."),
        },
    )
    def put_document(
        self,
        ledger: NamedDependency[Ledger],
        principal: NamedDependency[Principal],
        code: FromPath[str],
        body: RawBody,
        filename: Annotated[str, QueryParameter(min_length=1, max_length=200)],
    ) -> dict[str, str]:
        """Keep the document of standard ``code``."""
        checked_code = path_checked("code", code, check_standard_code)
        with fields_named():
            document = check_document(filename, body)
            ledger.standard_documents.attach(principal, checked_code, document)
        return {"code": checked_code, "sha256": document.sha256, "media_type": document.media_type}

    @get(
        "/{code:str}/document",
        sync_to_thread=True,
        summary="Download a standard's document",
        description="Public: the file whose SHA-256 is the standard's document_hash.",
        responses={
            **READ_ERRORS,
            HTTP_404_NOT_FOUND: error_spec("No such standard, or its document is not uploaded."),
        },
    )
    def get_document(self, ledger: NamedDependency[Ledger], code: FromPath[str]) -> Response[bytes]:
        """The document of standard ``code``."""
        checked_code = path_checked("code", code, check_standard_code)
        document = ledger.standard_documents.document(checked_code)
        if document is None:
            raise NotFound(f"the document of standard {checked_code} has not been uploaded")
        return document_response(document)
