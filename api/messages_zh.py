"""The Chinese text (``detail_zh``) beside the English ``detail`` of the errors a person sees.

A person meets these on the verification page, the learner's page, a mistyped link or a
printed certificate's address: a malformed or mistyped number, a number never issued, too
many lookups, a page that does not exist, a refused sign-in, the log unable to answer.
Other errors (a malformed API request a program made) keep their English ``detail`` alone.
Chinese text uses full-width punctuation throughout.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["chinese_detail"]

_Translate = Callable[[re.Match[str]], str]

_NUMBER_SHAPE = "证书编号应为 X 加 15 位数字（共 16 个字符），例如 X202604839205718。"
_CHECK_DIGIT = "编号的校验位不符：其中有一位数字输错了，请逐位核对。"

#: English details (whole-message patterns) and their Chinese text, first match wins.
_RULES: tuple[tuple[re.Pattern[str], _Translate], ...] = (
    (
        re.compile(
            r"(?:path parameter 'number'|certificate|number) must be a certificate number.*"
        ),
        lambda _m: _NUMBER_SHAPE,
    ),
    (
        re.compile(r"(?:path parameter 'number'|certificate|number) has a wrong check digit.*"),
        lambda _m: "证书" + _CHECK_DIGIT,
    ),
    (
        re.compile(r"(?:path parameter 'account'|account) must be an account number.*"),
        lambda _m: "学习账户号应为 L 加 11 位数字（共 12 个字符）。",
    ),
    (
        re.compile(r"(?:path parameter 'account'|account) has a wrong check digit.*"),
        lambda _m: "学习账户" + _CHECK_DIGIT,
    ),
    (
        re.compile(r"there is no certificate (?P<n>X\d{15})"),
        lambda m: f"账本中没有编号为 {m['n']} 的证书。",
    ),
    (
        re.compile(r"there is no learning account (?P<n>L\d{11})"),
        lambda m: f"没有学习账户 {m['n']}。",
    ),
    (
        re.compile(r"too many requests .*retry in (?P<s>\d+) s"),
        lambda m: f"请求过于频繁，请在 {m['s']} 秒后再试。",
    ),
    (re.compile(r"name .*"), lambda _m: "请填写持证人的姓名。"),
    (
        re.compile(r"days must be a whole number of days from (?P<a>\d+) to (?P<b>\d+).*"),
        lambda m: f"有效期应为 {m['a']} 至 {m['b']} 天之间的整数天数。",
    ),
    (
        re.compile(r"code must be a report code of (?P<n>\d+) characters.*"),
        lambda m: f"报告验证码应为 {m['n']} 个字符（可含连字符），请对照报告逐个核对。",
    ),
    (
        re.compile(r"code holds characters a report code never has: (?P<c>.*) \(.*"),
        lambda m: f"验证码中有不会出现的字符：{m['c']}（验证码不含 0、O、1、I 和 Z）。",
    ),
    (
        re.compile(r"code has a wrong check character.*"),
        lambda _m: "验证码的校验位不符：其中有一个字符输错了，请逐个核对。",
    ),
    (re.compile(r"there is no report with this code"), lambda _m: "没有使用此验证码的报告。"),
    (
        re.compile(r"certificate (?P<n>X\d{15}) is not one of yours"),
        lambda m: f"证书 {m['n']} 不是您的证书。",
    ),
    (
        re.compile(r"certificate (?P<n>X\d{15}) is revoked: a report cannot show it"),
        lambda m: f"证书 {m['n']} 已被撤销，不能为它创建验证报告。",
    ),
    (
        re.compile(r"you have no report (?P<r>\S+)"),
        lambda m: f"您没有编号为 {m['r']} 的验证报告。",
    ),
    (
        re.compile(r"report (?P<r>\S+) was withdrawn already"),
        lambda m: f"验证报告 {m['r']} 已经撤回。",
    ),
    (
        re.compile(r"report (?P<r>\S+) is (?P<s>expired|withdrawn): its code no longer works"),
        lambda m: (
            f"验证报告 {m['r']} 已{'过期' if m['s'] == 'expired' else '撤回'}，验证码不再有效。"
        ),
    ),
    (
        re.compile(r"your name was erased: a report has no name to show"),
        lambda _m: "您的姓名已被删除，验证报告没有可显示的姓名。",
    ),
    (
        re.compile(r"the request body is larger than the (?P<n>\d+)-byte limit"),
        lambda m: f"提交的内容过大（上限 {m['n']} 字节）。",
    ),
    (re.compile(r"Not Found"), lambda _m: "没有这个页面或接口，请检查网址。"),
    (re.compile(r"the log failed its own integrity check.*"), lambda _m: _LOG_DOWN),
    (re.compile(r"the log cannot sign.*"), lambda _m: _LOG_DOWN),
    (
        re.compile(r"no learner matches these details.*"),
        lambda _m: (
            "没有符合的学习者：请填写学习者在本人页面生成的登记码，或与登记信息完全一致的姓名和身份证号。"
        ),
    ),
    (
        re.compile(r".*must give the learner's enrolment_code.*"),
        lambda _m: "仅有学习账号不能登记：请填写学习者给出的登记码，或姓名和身份证号。",
    ),
    (
        re.compile(
            r"(?:field )?'?(?P<f>[\w.]+)'? must not contain the invisible format "
            r"character (?P<u>U\+[0-9A-F]{4,6}) .*"
        ),
        lambda m: f"{m['f']} 不能包含不可见的格式字符 {m['u']}（双向控制符和零宽字符一律拒收）。",
    ),
    (
        re.compile(r"(?:field )?'?(?P<f>[\w.]+)'? must not start with =, \+, - or @.*"),
        lambda m: f"{m['f']} 不能以 =、+、- 或 @ 开头（电子表格会把它当作公式执行）。",
    ),
    (
        re.compile(r"(?:field )?'?(?P<f>[\w.]+)'? must not start with a formula character.*"),
        lambda m: f"{m['f']} 不能以等号、加号、减号或 @ 开头（电子表格会把它当作公式执行）。",
    ),
    (
        re.compile(r"(?:field )?'?(?P<f>[\w.]+)'? must be in Unicode normal form NFC.*"),
        lambda m: f"{m['f']} 须为 Unicode NFC 规范形式（请使用组合好的字符）。",
    ),
    (
        re.compile(r"name looks like the registered name (?P<n>.*): choose .*"),
        lambda m: f"名称与已登记的名称 {m['n']} 过于相似，请另选一个不会混淆的名称。",
    ),
    (
        re.compile(r".*holds a date of birth in the future"),
        lambda _m: "身份证号中的出生日期在今天之后，请核对。",
    ),
    (
        re.compile(r"the request body must be sent as JSON.*"),
        lambda _m: "请求内容须以 JSON 格式发送（Content-Type: application/json）。",
    ),
    (
        re.compile(r"the request body gives the key (?P<k>.*) twice in one object"),
        lambda m: f"请求内容的同一个对象中，键 {m['k']} 出现了两次。",
    ),
)
_LOG_DOWN = "账本暂时无法提供经过校验的答复，请稍后再试或联系账本运营方。"

#: Status codes whose every error a person may see, whatever the English says.
_BY_STATUS = {
    401: "未登录或登录已失效，请重新登录。",
    403: "您无权执行此操作。",
}


def chinese_detail(status_code: int, detail: str) -> str | None:
    """The Chinese text of an error a person may see; None for the others."""
    for pattern, translate in _RULES:
        match = pattern.fullmatch(detail)
        if match is not None:
            return translate(match)
    return _BY_STATUS.get(status_code)
