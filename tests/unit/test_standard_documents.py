"""The checks of a standard's document (ledger/services/standard_documents.py): only a PDF or
.docx whose content is what its name says, 1 byte to 10 MiB; the kept file name is never
one that could break a header or a path."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.registry import InvalidField
from ledger.services.standard_documents import DOCX_TYPE, MAX_DOCUMENT_BYTES, check_document


@given(
    st.one_of(st.text(max_size=300), st.text(max_size=250).map(lambda t: t + ".pdf")),
    st.binary(max_size=64),
)
def test_a_kept_name_never_holds_a_quote_slash_or_control_character(name: str, tail: bytes) -> None:
    try:
        checked = check_document(name, b"%PDF-" + tail)
    except InvalidField as exc:
        assert exc.field == "document"
        return
    assert checked.filename.lower().endswith(".pdf") and len(checked.filename) <= 200
    assert not any(c in checked.filename for c in '"\\/') and checked.filename.isprintable()
    assert checked.sha256 == hashlib.sha256(b"%PDF-" + tail).hexdigest()
    assert checked.media_type == "application/pdf"


@given(st.binary(min_size=1, max_size=64).filter(lambda b: not b.startswith(b"%PDF-")))
def test_a_pdf_name_on_other_content_is_refused(content: bytes) -> None:
    with pytest.raises(InvalidField, match="its content is not one"):
        check_document("standard.pdf", content)


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("a.pdf", b"", "is missing or empty"),
        ("a.pdf", b"%PDF-" + b"0" * MAX_DOCUMENT_BYTES, "more than"),
        ("a.txt", b"%PDF-1.7", "must be a PDF"),
        ("no-extension", b"%PDF-1.7", "must be a PDF"),
        ("a.docx", b"%PDF-1.7", "its content is not one"),
    ],
)
def test_bad_documents_are_named(name: str, content: bytes, problem: str) -> None:
    with pytest.raises(InvalidField, match=problem):
        check_document(name, content)


def test_a_docx_and_a_path_in_the_name() -> None:
    checked = check_document("C:\\文件\\标准 v2.DOCX", b"PK\x03\x04rest")
    assert (checked.filename, checked.media_type) == ("标准 v2.DOCX", DOCX_TYPE)
