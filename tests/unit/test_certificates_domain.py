"""Rules of certificates: numbers, ID numbers, names, commitments, CSV rows and JWS records."""

from __future__ import annotations

import hashlib
import json
import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jws as jose_jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from ledger.core.errors import BadSignature
from ledger.core.jws import MalformedRecord, RecordSigner, b64url, parse_compact, verify_compact
from ledger.core.signing import SigningKey
from ledger.domain.certificates import (
    InvalidRows,
    check_account_number,
    check_certificate_number,
    check_id_number,
    holder_commitment,
    id_number_check_character,
    issuance,
    luhn_digit,
    mask_name,
    name_key,
    new_account_number,
    new_certificate_number,
    normalize_name,
)
from ledger.domain.csv_uploads import parse_conversion_rows, parse_rows
from ledger.domain.identifiers import check_id, new_id
from ledger.domain.registry import InvalidField

TODAY = date(2026, 12, 1)


@given(st.integers(min_value=2019, max_value=2099))
def test_new_certificate_numbers_pass_their_own_check(year: int) -> None:
    number = new_certificate_number(year)
    assert check_certificate_number(number) == number
    assert len(number) == 16 and number[1:5] == str(year)


def test_new_account_numbers_pass_their_own_check() -> None:
    for _ in range(100):
        number = new_account_number()
        assert check_account_number(number) == number and len(number) == 12


@given(st.text(alphabet=string.digits, min_size=14, max_size=14), st.data())
def test_the_check_digit_catches_every_single_mistyped_digit(
    body: str, data: st.DataObject
) -> None:
    number = f"X{body}{luhn_digit(body)}"
    position = data.draw(st.integers(min_value=1, max_value=15))
    wrong = data.draw(st.sampled_from([d for d in string.digits if d != number[position]]))
    typo = number[:position] + wrong + number[position + 1 :]
    with pytest.raises(InvalidField, match="check digit"):
        check_certificate_number(typo)


@given(st.text(alphabet=string.digits, min_size=14, max_size=14), st.integers(1, 13))
def test_the_check_digit_catches_swapped_neighbours(body: str, position: int) -> None:
    number = f"X{body}{luhn_digit(body)}"
    a, b = number[position], number[position + 1]
    # Luhn misses only the swap of 0 and 9.
    if a == b or {a, b} == {"0", "9"}:
        return
    swapped = number[:position] + b + a + number[position + 2 :]
    with pytest.raises(InvalidField):
        check_certificate_number(swapped)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("X2026", "certificate number"),
        ("x202604839205718", "certificate number"),
        ("X202604839205719", "check digit"),
        ("X２０２６04839205718", "certificate number"),
    ],
)
def test_malformed_certificate_numbers(text: str, problem: str) -> None:
    with pytest.raises(InvalidField, match=problem):
        check_certificate_number(text)


def test_known_resident_identity_numbers() -> None:
    # The check character example of GB 11643-1999 itself.
    assert id_number_check_character("11010519491231002") == "X"
    assert check_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(InvalidField, match="check character"):
        check_id_number("110105194912310021")
    with pytest.raises(InvalidField, match="date of birth"):
        check_id_number("110105194902300028")


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(0, 999),
    st.integers(0, 16),
    st.data(),
)
def test_id_numbers_and_any_single_changed_digit(
    born: date, sequence: int, position: int, data: st.DataObject
) -> None:
    body = f"610102{born:%Y%m%d}{sequence:03d}"
    number = body + id_number_check_character(body)
    assert check_id_number(number) == number
    wrong = data.draw(st.sampled_from([d for d in string.digits if d != number[position]]))
    changed = number[:position] + wrong + number[position + 1 :]
    with pytest.raises(InvalidField) as raised:
        check_id_number(changed)
    # The message never repeats the number.
    assert changed not in str(raised.value) and number not in str(raised.value)


@given(st.text(min_size=1, max_size=100))
def test_masked_names_keep_the_first_character_and_the_length(text: str) -> None:
    try:
        name = normalize_name(text)
    except InvalidField as refused:
        assert text.strip() not in str(refused) or not text.strip()
        return
    masked = mask_name(name)
    assert len(masked) == len(name)
    assert masked[0] == name[0]
    assert all(c in "* ·•" for c in masked[1:])
    assert mask_name("王小明") == "王**" and mask_name("阿卜杜·热合曼") == "阿**·***"


def test_names_compare_by_their_normal_form() -> None:
    assert name_key(" Li  Wei ") == name_key("li wei")
    assert name_key("王小明") != name_key("王晓明")
    assert name_key("ＬＩ") == name_key("li")  # full-width letters


@given(st.binary(min_size=16, max_size=16))
def test_the_commitment_is_sha256_of_salt_id_and_name(salt: bytes) -> None:
    expected = hashlib.sha256(salt + b"11010519491231002X\x00" + "王小明".encode()).hexdigest()
    assert holder_commitment(salt, "11010519491231002X", "王小明") == expected


def test_issuance_names_the_first_wrong_field() -> None:
    good = {
        "standard": "1X-BIM",
        "level": "junior",
        "name": "王小明",
        "id_number": "11010519491231002X",
        "issued_on": "2026-11-30",
    }
    assert issuance(**good, today=TODAY).issued_on == date(2026, 11, 30)
    for field, value, message in [
        ("standard", "BIM", "standard"),
        ("level", "master", "level"),
        ("issued_on", "2026-12-02", "later than today"),
        ("id_number", "1101051949123100", "holder.id_number"),
    ]:
        with pytest.raises(InvalidField) as raised:
            issuance(**{**good, field: value}, today=TODAY)
        assert message in str(raised.value)


# -- CSV ------------------------------------------------------------------------------


def test_csv_rows_with_chinese_headers_and_a_byte_order_mark() -> None:
    text = "\ufeff姓名,身份证号,证书标准,等级,成绩\r\n王小明,11010519491231002X,1X-BIM,高级,88\r\n"
    assert parse_rows(text.encode("utf-8")) == [
        {
            "name": "王小明",
            "id_number": "11010519491231002X",
            "standard": "1X-BIM",
            "level": "senior",
            "score": 88,
        }
    ]
    assert parse_rows(text.lstrip("\ufeff").encode("gb18030")) == parse_rows(text.encode())


def test_csv_with_ragged_rows_names_them() -> None:
    text = "name,id_number,standard,level\na,b,c,d\ne,f\n\ng,h,i,j,k\n"
    with pytest.raises(InvalidRows) as raised:
        parse_rows(text.encode())
    assert [problem.row for problem in raised.value.problems] == [2, 4]


# -- JWS records ----------------------------------------------------------------------

KEY = SigningKey.generate()


def test_records_verify_with_an_independent_jose_library() -> None:
    payload = json.dumps({"certificate": "X202604839205718", "holder": "王**"}).encode()
    token = RecordSigner(KEY).sign(payload)
    jwk = OKPKey.import_key(KEY.public.jwk())
    # joserfc warns that RFC 9864 deprecates the name "EdDSA"; docs/format.md publishes it.
    with pytest.warns(SecurityWarning):
        decoded = jose_jws.deserialize_compact(token, jwk, algorithms=["EdDSA"])
    assert decoded.payload == payload
    assert decoded.protected == {"alg": "EdDSA", "kid": KEY.kid, "typ": "certledger-record+jws"}
    assert verify_compact(token, {KEY.kid: KEY.public}).payload == payload


def test_records_signed_by_an_independent_library_verify_here() -> None:
    jwk = OKPKey.import_key(KEY.to_pem())
    with pytest.warns(SecurityWarning):
        token = jose_jws.serialize_compact(
            {"alg": "EdDSA", "kid": KEY.kid}, b"{}", jwk, algorithms=["EdDSA"]
        )
    assert verify_compact(token, {KEY.kid: KEY.public}, typ=None).payload == b"{}"
    # Without the record's typ it is not a verification record, however well signed.
    with pytest.raises(MalformedRecord, match="typ"):
        verify_compact(token, {KEY.kid: KEY.public})


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("a.b", "three parts"),
        (b64url(b'{"alg":"none","kid":"k"}') + ".e30.", "alg must be EdDSA"),
        (b64url(b'{"alg":"EdDSA"}') + ".e30." + b64url(bytes(64)), "no kid"),
        (b64url(b'{"alg":"EdDSA","kid":"k","crit":["x"]}') + ".e30." + b64url(bytes(64)), "crit"),
        (b64url(b'{"alg":"EdDSA","kid":"k"}') + ".e30=." + b64url(bytes(64)), "base64url"),
        (b64url(b'{"alg":"EdDSA","kid":"k"}') + ".e30." + b64url(bytes(63)), "64 bytes"),
        ("x" * 20_000, "at most"),
    ],
)
def test_malformed_records(token: str, message: str) -> None:
    with pytest.raises(MalformedRecord, match=message):
        parse_compact(token)


def test_a_record_under_an_unknown_kid_or_with_a_changed_payload() -> None:
    token = RecordSigner(KEY).sign(b'{"a":1}')
    with pytest.raises(BadSignature, match="not in the JWKS"):
        verify_compact(token, {})
    header, _payload, signature = token.split(".")
    changed = b64url(b'{"a":2}')
    with pytest.raises(BadSignature):
        verify_compact(f"{header}.{changed}.{signature}", {KEY.kid: KEY.public})


@given(st.sampled_from("LRCPSAE"), st.integers(1, 11), st.data())
def test_every_identifier_kind_catches_a_mistyped_digit(
    prefix: str, position: int, data: st.DataObject
) -> None:
    identifier = new_id(prefix)
    assert check_id(prefix, "an identifier", identifier, "id") == identifier
    wrong = data.draw(st.sampled_from([d for d in string.digits if d != identifier[position]]))
    typo = identifier[:position] + wrong + identifier[position + 1 :]
    with pytest.raises(InvalidField, match="check digit"):
        check_id(prefix, "an identifier", typo, "id")
    other = "Q" if prefix != "Q" else "Z"
    with pytest.raises(InvalidField, match=f"must be an identifier: {prefix}"):
        check_id(prefix, "an identifier", other + identifier[1:], "id")


def test_conversion_csv_rows_share_the_issuance_reader() -> None:
    text = "account,certificate,rule,programme\nL1,X1,R1,P1\nL2,X2\n"
    with pytest.raises(InvalidRows) as raised:
        parse_conversion_rows(text.encode())
    assert [problem.row for problem in raised.value.problems] == [2]
    good = "programme,rule,certificate,account\nP1,R1,X1,L1\n"
    assert parse_conversion_rows(good.encode()) == [
        {"programme": "P1", "rule": "R1", "certificate": "X1", "account": "L1"}
    ]
