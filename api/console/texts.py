"""Chinese beside English for what the consoles tell a clerk: the names of columns and
fields, the refusals of conversions, and any other error a service raises."""

from __future__ import annotations

import re

from ledger.core.errors import Conflict, Forbidden, LedgerError, NotFound, SigningKeyError
from ledger.domain.registry import InvalidField

FIELD_NAMES = {
    "account": "学习账号",
    "name": "姓名",
    "id_number": "身份证号",
    "certificate": "证书编号",
    "rule": "转换规则",
    "programme": "专业",
    "course": "课程代码",
    "title": "名称",
    "credits": "学分",
    "term": "学期",
    "grade": "成绩",
    "standard": "证书标准",
    "min_level": "最低等级",
    "courses": "课程",
    "valid_from": "生效日期",
    "valid_to": "失效日期",
    "header": "表头",
    "row": "行",
    "file": "文件",
    "body": "文件",
    "year": "年度",
    "text": "正文",
    "items": "申报项目",
    "accounts": "学习账号",
    "username": "用户名",
    "password": "密码",
    "code": "代码",
    "levels": "等级",
    "level": "等级",
    "document": "标准文件",
    "document_hash": "标准文件摘要",
    "credits.junior": "初级学分",
    "credits.intermediate": "中级学分",
    "credits.senior": "高级学分",
    "city": "城市",
    "address": "地址",
    "capacity": "容量",
    "standards": "证书标准",
    "site": "考核站点",
    "date": "日期",
    "fee": "费用",
    "issued_on": "发证日期",
    "score": "成绩",
    "assessment": "考核",
}

REFUSALS = {
    "school_not_active": "学校不是正常试点状态，不能转换",
    "not_schools_student": "该学习账号不是本校学生",
    "unknown_certificate": "没有这张证书",
    "certificate_revoked": "证书已被撤销，不能转换",
    "not_holders_certificate": "证书不属于该学习账号",
    "unknown_rule": "没有这条转换规则",
    "not_schools_rule": "这条转换规则不是本校的",
    "programme_mismatch": "专业与规则不一致",
    "standard_mismatch": "证书标准与规则不一致",
    "below_rule_level": "证书等级低于规则要求",
    "outside_rule_validity": "证书发证日期不在规则有效期内",
    "already_converted": "该证书已为此专业转换过",
}


#: What the common problems of a field say in Chinese, by the shape of their English text
#: (the first that matches); any other problem reads "<field>不正确".
PROBLEMS_ZH: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), chinese)
    for pattern, chinese in (
        (r"wrong check (?:digit|character)", "校验位不符：其中有一位输错了，请逐位核对"),
        (r"date of birth in the future", "出生日期在将来，请核对"),
        (r"date of birth (?:that does not exist|before 1900)", "出生日期不存在，请核对"),
        (r"18-character resident identity number", "应为 18 位（17 位数字，再加一位数字或 X）"),
        (r"is not (?:a )?published", "尚未发布"),
        (r"must be junior, intermediate or senior|not a level", "等级应为初级、中级或高级"),
        (r"must be an integer (\d+) to (\d+)", "应为 \\1 到 \\2 之间的整数"),
        (r"must be (\d+) to (\d+) characters", "应为 \\1 到 \\2 个字符"),
        (r"must not start or end with whitespace", "首尾不能有空格"),
        (r"invisible format character|control or format characters", "含有看不见的控制或格式字符"),
        (r"Unicode normal form NFC", "不是规范的 Unicode 文本（NFC），请重新输入"),
        (
            r"must not start with =, \+, - or @",
            "不能以 =、+、- 或 @ 开头（电子表格会把它当作公式）",
        ),
        (r"^is (?:missing|empty)|must not be empty", "不能为空"),
    )
)


def field_name(field: str) -> str:
    """The Chinese name of a field or column, then its English name."""
    chinese = FIELD_NAMES.get(field)
    return field if chinese is None else f"{chinese} {field}"


def refusal_text(code: str, english: str) -> str:
    """A conversion refusal in Chinese, then in English."""
    return f"{REFUSALS.get(code, '不能转换')}。/ {english}"


def problem_text(column: str, problem: str, code: str | None = None) -> str:
    """One problem of a sheet's row in Chinese, then in English."""
    if code is not None:
        return refusal_text(code, problem)
    chinese = FIELD_NAMES.get(column, column)
    for pattern, phrase in PROBLEMS_ZH:
        found = pattern.search(problem)
        if found is not None:
            return f"{chinese}{found.expand(phrase)}。/ {column} {problem}"
    return f"{chinese}不正确。/ {column} {problem}"


def describe_error(exc: LedgerError) -> str:
    """What a service's refusal says, with a Chinese lead."""
    if isinstance(exc, InvalidField):
        return problem_text(exc.field, exc.problem)
    lead = "请求不正确"
    if isinstance(exc, Forbidden):
        lead = "没有权限"
    elif isinstance(exc, NotFound):
        lead = "没有找到"
    elif isinstance(exc, Conflict):
        lead = "与现有记录冲突"
    elif isinstance(exc, SigningKeyError):
        lead = "账本暂时无法签名，这次什么也没有写入"
    return f"{lead}。/ {exc}"
