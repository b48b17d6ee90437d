"""The Chinese a clerk reads beside each problem of a sheet's row or a form's field."""

from __future__ import annotations

import pytest

from api.console.texts import problem_text
from ledger.domain.certificates import check_id_number, normalize_name
from ledger.domain.registry import InvalidField


def problem_of(check: object, value: str) -> InvalidField:
    with pytest.raises(InvalidField) as raised:
        check(value)  # type: ignore[operator]
    return raised.value


@pytest.mark.parametrize(
    ("value", "chinese"),
    [
        ("11010519491231002Y", "身份证号应为 18 位"),
        ("110105194912310021", "身份证号校验位不符：其中有一位输错了，请逐位核对。"),
        ("110105209912310021", "身份证号出生日期在将来，请核对。"),
        ("110105194902300021", "身份证号出生日期不存在，请核对。"),
    ],
)
def test_an_id_number_problem_says_what_is_wrong_in_chinese(value: str, chinese: str) -> None:
    problem = problem_of(lambda v: check_id_number(v, "id_number"), value)
    text = problem_text(problem.field, problem.problem)
    assert text.startswith(chinese)
    assert text.endswith(f"/ id_number {problem.problem}")  # the English stays beside it


def test_numbers_in_a_problem_carry_over_and_other_problems_stay_general() -> None:
    assert problem_text("score", "must be an integer 0 to 100").startswith(
        "成绩应为 0 到 100 之间的整数。"
    )
    assert problem_text("standard", "1X-NONE is not published").startswith("证书标准尚未发布。")
    name = problem_of(normalize_name, "张\u200b三")
    assert problem_text(name.field, name.problem).startswith("姓名含有看不见的控制或格式字符。")
    assert problem_text("site", "there is no site S1").startswith("考核站点不正确。/ site")
    formula = problem_text("name", "must not start with =, +, - or @ (a spreadsheet would run it)")
    assert formula.startswith("姓名不能以 =、+、- 或 @ 开头")
