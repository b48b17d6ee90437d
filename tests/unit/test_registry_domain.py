"""The registry's pure rules: credit codes, school and standard codes, the exit lifecycle.

Table-driven where the rule is a table; hypothesis for the check character's promise.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.core.errors import Conflict, InvalidInput
from ledger.domain.registry import (
    CITIES,
    CREDIT_CODE_ALPHABET,
    ORG_LIFECYCLE,
    REGISTRY_KINDS,
    SCHOOL_LIFECYCLE,
    Action,
    InvalidField,
    Level,
    Lifecycle,
    Organization,
    OrgStatus,
    School,
    SchoolLevel,
    SchoolStatus,
    Standard,
    check_credit_code,
    check_school_code,
    check_standard_code,
    check_text,
    commit_contact,
    credit_code_check_character,
    standard_credits,
    status_change_payload,
)

HASH = "ab" * 32

# -- unified social credit codes ------------------------------------------------------

# Worked by hand: the weighted sum S gives the check character at position (31 - S % 31) % 31.
HAND_WORKED = [
    ("00000000000000000", "0"),  # S = 0
    ("10000000000000000", "Y"),  # S = 1 * 1 = 1 -> 30
    ("01000000000000000", "W"),  # S = 1 * 3 = 3 -> 28
    ("00000000000000001", "3"),  # S = 1 * 28 = 28 -> 3
    ("20000000000000000", "X"),  # S = 2 * 1 = 2 -> 29
]


@pytest.mark.parametrize(("body", "check"), HAND_WORKED)
def test_check_character_worked_by_hand(body: str, check: str) -> None:
    assert credit_code_check_character(body) == check
    assert check_credit_code(body + check) == body + check


# Published codes of real enterprises (the check characters are the registrars').
@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000802100433B", "91310000775785552L"])
def test_published_codes_are_valid(code: str) -> None:
    assert check_credit_code(code) == code


REFUSED_CODES = {
    "wrong-check": "91350100M000100Y44",
    "lowercase": "91110000802100433b",
    "letter-I": "9111000080210043IB",
    "letter-O": "91110000802100O33B",
    "letter-S": "91110000802100S33B",
    "letter-V": "91110000802100V33B",
    "letter-Z": "91110000802100Z33B",
    "too-short": "9111000080210043B",
    "too-long": "91110000802100433BB",
    "empty": "",
    "space": "91110000802100433 ",
    "fullwidth-digit": "９1110000802100433B",
}


@pytest.mark.parametrize("code", REFUSED_CODES.values(), ids=REFUSED_CODES.keys())
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidField) as refused:
        check_credit_code(code)
    assert refused.value.field == "id"


def test_a_wrong_check_character_is_named() -> None:
    with pytest.raises(
        InvalidField, match="check character of '91350100M000100Y44' should be '3', not '4'"
    ):
        check_credit_code("91350100M000100Y44")


def test_check_character_needs_seventeen_code_characters() -> None:
    with pytest.raises(InvalidInput):
        credit_code_check_character("0000")


CODE_CHARACTERS = st.sampled_from(CREDIT_CODE_ALPHABET)


@st.composite
def valid_codes(draw: st.DrawFn) -> str:
    body = "".join(draw(st.lists(CODE_CHARACTERS, min_size=17, max_size=17)))
    return body + credit_code_check_character(body)


@settings(max_examples=300, deadline=None)
@given(valid_codes(), st.integers(min_value=0, max_value=17), st.characters())
def test_any_single_change_is_refused(code: str, position: int, replacement: str) -> None:
    check_credit_code(code)
    if replacement == code[position]:
        replacement = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(code[position]) + 1) % 31]
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidField):
        check_credit_code(changed)


# -- other identifiers and text -------------------------------------------------------


@pytest.mark.parametrize("code", ["4161010001", "0000000000", "3161012345"])
def test_school_codes(code: str) -> None:
    assert check_school_code(code) == code


@pytest.mark.parametrize("code", ["416101000", "41610100012", "416101000A", "", "４161010001"])
def test_malformed_school_codes(code: str) -> None:
    with pytest.raises(InvalidField, match="10 digits"):
        check_school_code(code)


@pytest.mark.parametrize(
    "code", ["1X-BIM", "1X-5G", "1X-WEB-FRONT", "1X-A-B-C-D", "1X-" + "A" * 29]
)
def test_standard_codes(code: str) -> None:
    assert check_standard_code(code) == code


@pytest.mark.parametrize(
    "code",
    ["BIM", "1x-BIM", "1X-bim", "1X-", "1X--BIM", "1X-BIM-", "1X-A-B-C-D-E", "1X-" + "A" * 30, ""],
)
def test_malformed_standard_codes(code: str) -> None:
    with pytest.raises(InvalidField, match="standard code"):
        check_standard_code(code)


TEXT_REFUSALS = {
    "empty": ("", "1 to 200 characters"),
    "too-long": ("名" * 201, "1 to 200 characters"),
    "leading-space": (" 名称", "whitespace"),
    "trailing-newline": ("名称\n", "whitespace"),
    "control": ("名\x00称", "control characters"),
    "lone-surrogate": ("名\ud800称", "control characters"),
}


@pytest.mark.parametrize(("text", "problem"), TEXT_REFUSALS.values(), ids=TEXT_REFUSALS.keys())
def test_text_refusals(text: str, problem: str) -> None:
    with pytest.raises(InvalidField, match=problem) as refused:
        check_text("name", text)
    assert str(refused.value).startswith("name ")


def test_text_at_the_limit() -> None:
    assert check_text("name", "名" * 200) == "名" * 200
    assert check_text("reason", "r" * 500, 500) == "r" * 500


# -- the exit lifecycle -----------------------------------------------------------------

R, S, B = OrgStatus.REGISTERED, OrgStatus.SUSPENDED, OrgStatus.BARRED
A, SS, E = SchoolStatus.ADMITTED, SchoolStatus.SUSPENDED, SchoolStatus.EXPELLED

# (lifecycle, status, action) -> the next status, or the words of the Conflict.
TRANSITIONS = [
    (ORG_LIFECYCLE, R, Action.SUSPEND, S),
    (ORG_LIFECYCLE, R, Action.REINSTATE, "is registered, not suspended"),
    (ORG_LIFECYCLE, R, Action.BAR, B),
    (ORG_LIFECYCLE, S, Action.SUSPEND, "is already suspended"),
    (ORG_LIFECYCLE, S, Action.REINSTATE, R),
    (ORG_LIFECYCLE, S, Action.BAR, B),
    (ORG_LIFECYCLE, B, Action.SUSPEND, "is barred; a bar is final"),
    (ORG_LIFECYCLE, B, Action.REINSTATE, "is barred; a bar is final"),
    (ORG_LIFECYCLE, B, Action.BAR, "is barred; a bar is final"),
    (SCHOOL_LIFECYCLE, A, Action.SUSPEND, SS),
    (SCHOOL_LIFECYCLE, A, Action.REINSTATE, "is admitted, not suspended"),
    (SCHOOL_LIFECYCLE, A, Action.EXPEL, E),
    (SCHOOL_LIFECYCLE, SS, Action.SUSPEND, "is already suspended"),
    (SCHOOL_LIFECYCLE, SS, Action.REINSTATE, A),
    (SCHOOL_LIFECYCLE, SS, Action.EXPEL, E),
    (SCHOOL_LIFECYCLE, E, Action.SUSPEND, "is expelled; an expulsion is final"),
    (SCHOOL_LIFECYCLE, E, Action.REINSTATE, "is expelled; an expulsion is final"),
    (SCHOOL_LIFECYCLE, E, Action.EXPEL, "is expelled; an expulsion is final"),
]


@pytest.mark.parametrize(
    ("lifecycle", "status", "action", "expected"),
    TRANSITIONS,
    ids=[f"{lc.key}-{status}-{action}" for lc, status, action, _ in TRANSITIONS],
)
def test_transitions(lifecycle: Lifecycle, status: str, action: Action, expected: str) -> None:
    if expected in (*OrgStatus, *SchoolStatus):
        assert lifecycle.next_status("X", status, action) == expected
        assert lifecycle.status_after(action) == expected
    else:
        with pytest.raises(Conflict, match=f"^{lifecycle.noun} X {expected}"):
            lifecycle.next_status("X", status, action)


@pytest.mark.parametrize(
    ("lifecycle", "action"), [(ORG_LIFECYCLE, Action.EXPEL), (SCHOOL_LIFECYCLE, Action.BAR)]
)
def test_actions_of_the_other_lifecycle_do_not_apply(lifecycle: Lifecycle, action: Action) -> None:
    with pytest.raises(InvalidInput, match="does not apply"):
        lifecycle.next_status("X", lifecycle.active, action)


def test_every_kind_maps_back_to_its_action() -> None:
    for lifecycle in (ORG_LIFECYCLE, SCHOOL_LIFECYCLE):
        for action, kind in lifecycle.kinds.items():
            assert lifecycle.action_of(kind) is action
            assert kind in REGISTRY_KINDS
        assert lifecycle.action_of(lifecycle.created_kind) is None
    assert len(REGISTRY_KINDS) == 9


def test_status_change_payload_needs_a_reason_and_a_valid_id() -> None:
    code = "91350100M000100Y43"
    assert status_change_payload(ORG_LIFECYCLE, code, "违规") == {"org": code, "reason": "违规"}
    with pytest.raises(InvalidField, match=r"^reason "):
        status_change_payload(ORG_LIFECYCLE, code, "")
    with pytest.raises(InvalidField, match=r"^reason "):
        status_change_payload(SCHOOL_LIFECYCLE, "4161010001", "r" * 501)
    with pytest.raises(InvalidField, match=r"^id "):
        status_change_payload(SCHOOL_LIFECYCLE, code, "r")


# -- organizations, schools, standards --------------------------------------------------


def test_contact_goes_into_the_entry_only_as_a_salted_commitment() -> None:
    org = Organization("91350100M000100Y43", "示例评价组织(样例数据)", "张三 13800000000")
    salt = bytes(range(16))
    commitment = commit_contact(org.contact, salt)
    assert commitment == hashlib.sha256(salt + org.contact.encode()).hexdigest()
    payload = org.entry_payload(commitment)
    assert payload == {
        "org": org.id,
        "name": org.name,
        "contact_commitment": commitment,
    }
    assert commit_contact(org.contact, bytes(16)) != commitment
    with pytest.raises(InvalidInput, match="16 bytes"):
        commit_contact(org.contact, b"short")


def test_organization_checks_its_fields() -> None:
    with pytest.raises(InvalidField, match=r"^id "):
        Organization("91350100M000100Y44", "名称", "联系人")
    with pytest.raises(InvalidField, match=r"^contact "):
        Organization("91350100M000100Y43", "名称", "")


def test_school() -> None:
    school = School("4161010001", "西安职业技术学院", "xian", SchoolLevel.HIGHER)
    assert school.entry_payload() == {
        "school": "4161010001",
        "name": "西安职业技术学院",
        "city": "xian",
        "level": "higher",
    }
    with pytest.raises(InvalidField, match=r"^city .*xian, tongchuan"):
        School("4161010001", "学校", "beijing", SchoolLevel.HIGHER)
    with pytest.raises(InvalidField, match=r"^level "):
        School("4161010001", "学校", "xian", "vocational")  # type: ignore[arg-type]


def test_the_cities_are_the_provinces_list() -> None:
    assert len(CITIES) == 15
    assert CITIES["yangling"].name_zh == "杨凌示范区"
    assert sum(city.kind == "prefecture" for city in CITIES.values()) == 10


def test_standard_payload_lists_levels_junior_first() -> None:
    credits = standard_credits(["senior", "junior"], {"junior": 2, "senior": 4})
    standard = Standard("1X-BIM", "91350100M000100Y43", "建筑信息模型(BIM)", credits, HASH)
    assert standard.levels == (Level.JUNIOR, Level.SENIOR)
    assert standard.entry_payload() == {
        "standard": "1X-BIM",
        "org": "91350100M000100Y43",
        "title": "建筑信息模型(BIM)",
        "levels": ["junior", "senior"],
        "credits": {"junior": 2, "senior": 4},
        "document_hash": HASH,
    }


STANDARD_REFUSALS = {
    "no-levels": ([], {}, "^levels .*at least one"),
    "repeated-level": (["junior", "junior"], {"junior": 1}, "^levels .*repeat"),
    "unknown-level": (["expert"], {"expert": 1}, "^levels .*junior, intermediate or senior"),
    "credit-for-level-not-offered": (["junior"], {"junior": 1, "senior": 2}, "^credits "),
    "level-without-credit": (["junior", "senior"], {"junior": 1}, "^credits "),
}


@pytest.mark.parametrize(
    ("levels", "credits", "problem"), STANDARD_REFUSALS.values(), ids=STANDARD_REFUSALS.keys()
)
def test_standard_levels_and_credits(
    levels: list[str], credits: dict[str, int], problem: str
) -> None:
    with pytest.raises(InvalidField, match=problem):
        standard_credits(levels, credits)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("code", {"code": "BIM"}),
        ("org", {"org": "91350100M000100Y44"}),
        ("title", {"title": ""}),
        ("credits", {"credits": {}}),
        ("credits.junior", {"credits": {Level.JUNIOR: -1}}),
        ("credits.senior", {"credits": {Level.SENIOR: 1001}}),
        ("credits.senior", {"credits": {Level.SENIOR: True}}),
        ("document_hash", {"document_hash": HASH.upper()}),
        ("document_hash", {"document_hash": HASH[:-1]}),
    ],
)
def test_standard_checks_its_fields(field: str, changes: dict[str, object]) -> None:
    fields: dict[str, object] = {
        "code": "1X-BIM",
        "org": "91350100M000100Y43",
        "title": "建筑信息模型(BIM)",
        "credits": {Level.JUNIOR: 0},
        "document_hash": HASH,
    }
    with pytest.raises(InvalidField) as refused:
        Standard(**{**fields, **changes})  # type: ignore[arg-type]
    assert refused.value.field == field
