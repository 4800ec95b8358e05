"""Agency name, report year and 信息处理费 from the report's own words."""

from __future__ import annotations

import re

from pipelines.parse.segments import Seg

_NAME = r"[\u4e00-\u9fff()·]{2,40}?"
_TAIL = r"(?:政府)?信息公开(?:工作)?(?:年度)?(?:报告|年报)"
TITLE_A = re.compile(r"(?P<agency>" + _NAME + r")(?P<year>20\d\d)年度?" + _TAIL)
TITLE_B = re.compile(r"(?P<year>20\d\d)年度?(?P<agency>" + _NAME + r")" + _TAIL)
# Site chrome that precedes a title on scraped pages: 当前位置…首页…年报
_CHROME = re.compile(r"^.*(?:当前位置|首页|年报|栏目|正文|标题)[:]?")
_PERIOD = re.compile(r"统计期限[^。]{0,6}?(20\d\d)年|(20\d\d)年1月1日[^。]{0,6}?(?:至|到|起)")


def title_candidates(segs: list[Seg], doc_title: str | None) -> list[tuple[str, str]]:
    """(origin, text) where a title may stand: 'title' for the report's own lines, 'page' for the
    HTML page's <title>."""
    out = []
    for s in segs[:40]:
        if s.kind == "text" and s.text.startswith("标题"):
            out.append(("title", s.text.split(":", 1)[-1]))
    if doc_title:
        out.append(("page", doc_title))
    head = "".join("".join(s.flat.split()) for s in segs[:8])  # white space dropped (label_key)
    out.append(("title", head))
    return out


def title_matches(segs: list[Seg], doc_title: str | None) -> list[tuple[str, int, str]]:
    """(agency as printed, year, origin) of the first title in each place a title may stand."""
    out = []
    for origin, cand in title_candidates(segs, doc_title):
        found = _first_title("".join(cand.split()))
        if found is not None:
            out.append((*found, origin))
    return out


def _first_title(text: str) -> tuple[str, int] | None:
    for pat in (TITLE_A, TITLE_B):
        for m in pat.finditer(text):
            agency = _clean(m.group("agency"))
            if agency and agency not in ("政府", "人民政府", "本机关"):
                return agency, int(m.group("year"))
    return None


def _clean(name: str) -> str:
    name = _CHROME.sub("", name)
    name = re.sub(r"^(?:关于|关于印发)", "", name)
    return name.strip("()·")


def period_year(text: str) -> int | None:
    m = _PERIOD.search(re.sub(r"\s+", "", text))
    if m:
        return int(m.group(1) or m.group(2))
    return None


_FEE_NONE = re.compile(
    r"(?:未|无|没有|不)(?:收取|产生|发生)[^。]{0,12}?处理费|处理费[^。]{0,8}?(?:为零|为0元|0元|情况为无)|处理费[^。]{0,4}?:?无"
)
_FEE_SUM = re.compile(r"处理费[^。]{0,20}?(?:共计|合计|总计)?[^。\d]{0,6}?(\d+(?:\.\d+)?)(万元|元)")


def fees_yuan(text: str) -> float | None:
    """信息处理费 collected in 元, when section 六 states it; None when it is silent."""
    t = "".join(text.split())
    if "处理费" not in t:
        return None
    m = _FEE_SUM.search(t)
    if m:
        v = float(m.group(1))
        return v * 10000 if m.group(2) == "万元" else v
    if _FEE_NONE.search(t):
        return 0.0
    return None
