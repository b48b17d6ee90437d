"""Text rules for the public ledger (issue 11, defect 7), over many cases: NFC, no bidi or
zero-width characters, no leading formula characters, look-alike names, birth dates."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.certificates import check_id_number, id_number_check_character, normalize_name
from ledger.domain.registry import InvalidField, check_text
from ledger.domain.text_rules import FORMULA_LEADS, look_alike, skeleton, text_problem

INVISIBLE = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
INVISIBLE += ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u061c"]
_PLAIN = st.characters(blacklist_categories=("Cf", "Cc", "Cs", "Zs", "Zl", "Zp"))
# One-line text as a person types it: NFC, no format characters, not a formula.
clean_text = (
    st.text(_PLAIN, min_size=1, max_size=40)
    .map(lambda t: unicodedata.normalize("NFC", t))
    .filter(lambda t: 1 <= len(t) <= 200 and not t.startswith(FORMULA_LEADS))
)


@given(clean_text)
def test_clean_text_passes(text: str) -> None:
    assert text_problem(text) is None
    assert check_text("name", text) == text


@given(clean_text, st.sampled_from(INVISIBLE), st.data())
def test_any_bidi_or_zero_width_character_anywhere_is_refused(
    text: str, invisible: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, len(text)))
    with pytest.raises(InvalidField, match=f"U\\+{ord(invisible):04X}"):
        check_text("reason", text[:at] + invisible + text[at:], 500)


@given(st.sampled_from(FORMULA_LEADS), clean_text)
def test_a_leading_formula_character_is_refused(lead: str, text: str) -> None:
    with pytest.raises(InvalidField, match="formula"):
        check_text("name", lead + text)
    # A contact ("+86 ...") is not free text of the ledger: the rule is off for it.
    assert check_text("contact", lead + text, formula=False)


@given(st.sampled_from(FORMULA_LEADS), st.text("王李张伟芳娜", min_size=1, max_size=3))
def test_a_holder_name_that_starts_like_a_formula_is_refused(lead: str, name: str) -> None:
    with pytest.raises(InvalidField, match="formula"):
        normalize_name(lead + name)


@given(st.sampled_from(["e\u0301", "A\u030a", "\u1100\u1161"]), clean_text)
def test_text_not_in_nfc_is_refused(decomposed: str, text: str) -> None:
    with pytest.raises(InvalidField, match="NFC"):
        check_text("name", text + decomposed)


_LOOK_ALIKES = {
    "a": "аα",
    "c": "с",
    "e": "еε",
    "o": "оο0",
    "p": "рρ",
    "x": "хχ",
    "y": "у",
    "i": "іι",
}


@given(
    st.text("aceopxyi ", min_size=3, max_size=20).filter(lambda t: t.strip()),
    st.data(),
)
def test_cyrillic_greek_and_full_width_look_alikes_share_a_skeleton(
    latin: str, data: st.DataObject
) -> None:
    disguised = "".join(data.draw(st.sampled_from([c, *_LOOK_ALIKES.get(c, "")])) for c in latin)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != " " else "\u3000" for c in latin.upper())
    assert skeleton(disguised) == skeleton(latin) == skeleton(full_width)
    assert look_alike(disguised, ["Other", latin]) == latin


def test_distinct_names_stay_distinct() -> None:
    names = ["样例职业学院801(样例数据)", "样例职业学院802(样例数据)", "西安职业技术学院", "Acme"]
    for name in names:
        assert look_alike(name, [n for n in names if n != name]) is None


def _id(born: date) -> str:
    body = f"610102{born:%Y%m%d}123"
    return body + id_number_check_character(body)


@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)))
def test_an_id_number_is_born_in_the_past(born: date) -> None:
    today = (datetime.now(UTC) + timedelta(hours=8)).date()
    if born <= today - timedelta(days=1):
        assert check_id_number(_id(born)) == _id(born)
    elif born > today + timedelta(days=1):
        with pytest.raises(InvalidField, match="in the future"):
            check_id_number(_id(born))
