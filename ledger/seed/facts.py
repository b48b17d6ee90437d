"""The province's facts (sample data): the 1+X standards, the coverage gaps, the regions."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.core.principals import Principal, Role

OFFICE = Principal(Role.OFFICE)
SAMPLE = "（样例数据）"


@dataclass(frozen=True, slots=True)
class StandardFacts:
    """A first-batch 1+X certificate, the credits of its levels, the programmes that take it
    (higher, secondary), the courses a conversion counts it for and its fee caps (yuan)."""

    code: str
    title: str
    credits: tuple[int, int, int]
    programmes: tuple[str, str]
    courses: tuple[tuple[str, str, int], ...]
    fee_caps: tuple[int, int, int]


#: The first batch of 1+X certificates (2019), as in the pilot's notices.
STANDARDS = (
    StandardFacts(
        "1X-BIM", "建筑信息模型(BIM)", (2, 4, 6), ("440301", "640301"),
        (("BIM-201", "建筑信息模型技术", 3), ("CAD-110", "建筑CAD", 2)), (380, 520, 680),
    ),
    StandardFacts(
        "1X-WEB", "Web前端开发", (2, 4, 6), ("510201", "710201"),
        (("WEB-210", "Web前端开发技术", 4), ("JS-120", "JavaScript程序设计", 2)), (360, 480, 620),
    ),
    StandardFacts(
        "1X-LOG", "物流管理", (2, 3, 4), ("530802", "730701"),
        (("LOG-150", "仓储与配送管理", 3),), (300, 420, 560),
    ),
    StandardFacts(
        "1X-ELDER", "老年照护", (2, 4, 5), ("590302", "790301"),
        (("CARE-130", "老年照护技术", 4),), (320, 450, 600),
    ),
    StandardFacts(
        "1X-AUTO", "汽车运用与维修", (2, 4, 6), ("500211", "700206"),
        (("AUTO-220", "汽车维护与保养", 3), ("AUTO-221", "汽车电气检修", 2)), (400, 560, 720),
    ),
    StandardFacts(
        "1X-TAX", "智能财税", (2, 3, 5), ("530302", "730301"),
        (("ACC-140", "智能财税实务", 3),), (340, 460, 600),
    ),
)  # fmt: skip
STANDARD_FACTS = {facts.code: facts for facts in STANDARDS}

#: Cities left without an assessment site, so the coverage report has something to show;
#: their candidates sit the assessments in the neighbouring city.
COVERAGE_GAPS = {"fugu": "yulin", "shangluo": "xian"}

#: Region codes (GB/T 2260) of resident identity numbers, by city.
REGIONS = {
    "xian": ("610102", "610103", "610104", "610111", "610112", "610113", "610116", "610122"),
    "tongchuan": ("610202", "610203"),
    "baoji": ("610302", "610303", "610323"),
    "xianyang": ("610402", "610404", "610422"),
    "weinan": ("610502", "610522", "610528"),
    "yanan": ("610602", "610603"),
    "hanzhong": ("610702", "610703", "610723"),
    "yulin": ("610802", "610803"),
    "ankang": ("610902", "610921"),
    "shangluo": ("611002", "611021"),
    "yangling": ("610403",),
    "xixian": ("610117", "610404"),
    "hancheng": ("610581",),
    "shenmu": ("610881",),
    "fugu": ("610822",),
}
