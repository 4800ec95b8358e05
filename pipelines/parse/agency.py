"""The agency's name from the strongest evidence in the report.

Evidence, strongest first: the title; the signature block (the agency's name on a line followed by
a date line, at the end or under the title); an attachment line (附件：XX2023年…年度报告); the first
sentence of 一、总体情况 (XX局认真贯彻…); the HTML page title. Words that are no part of a name —
pronouns (我厅, 本机关), verbs (编写, 发布, 关于) — are stripped (pipelines/entities/names.yaml).

The choice: the strongest full name; a partial one (省工业和信息化厅, no region) only when nothing
fuller exists, and then with a warning; a fuller form of it from another source, with a note. Where
the name came from anywhere but the title, an info finding says so; where candidates disagree, or
the chosen one had to be cleaned and nothing confirms it, a warning. Each code has one severity
(P108 partial kept, P109 disagreement, P113 cleaned and unconfirmed: warnings; P110 cleaned and
confirmed, P111 another source, P112 a fuller name found: info).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines import yamldata
from pipelines.parse import meta
from pipelines.parse.segments import Seg
from pipelines.report import Report

# Found from yamldata (never compiled): a compiled module's __file__ is its .so in .native/ (pipelines.native).
NAMES = Path(yamldata.__file__).resolve().parent / "entities" / "names.yaml"
TITLE, SIGNATURE, ATTACHMENT, FIRST_SENTENCE, PAGE_TITLE = (
    "title",
    "signature",
    "attachment line",
    "first sentence of 一、总体情况",
    "page title",
)
_DATE = r"[（(]?\s*20\d\d\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*[）)]?"
_DATE_LINE = re.compile(r"^" + _DATE + r"$")
_DATE_ENDS = ("日", "日)", "日）")  # a line that does not end so holds no date line or signature
_ATTACHMENT = re.compile(r"附件\s*\d*\s*[:：]\s*(.+)")
_SIGNATURE_TAIL = 12  # segments at the end of a report where a signature block may stand
_SIGNATURE_HEAD = 6  # … and right under the title
_INLINE_TAIL = 80  # a name and date closing a long line stand in its last characters
_SENTENCE_HEAD = 160  # the subject of the first sentence stands in its first characters
_MAX_PRINTED = 60  # a name as printed, with a verb or a former name around it, is no longer


@dataclass(frozen=True)
class Words:
    suffixes: tuple[str, ...]
    pronouns: tuple[str, ...]
    verbs: tuple[str, ...]
    sentence_verbs: tuple[str, ...]
    levels: tuple[str, ...]
    former: str
    current: str
    name: re.Pattern  # a whole string that is one name
    inline_signature: re.Pattern  # "… NAME 2024年1月22日" at the end of a line
    first_sentence: re.Pattern
    verb_prefix: re.Pattern


@cache
def words() -> Words:
    d = yamldata.load(NAMES.read_text(encoding="utf-8"))
    suffix = "(?:" + "|".join(map(re.escape, d["suffixes"])) + ")"
    name = r"[\u4e00-\u9fff（）()·]{1,40}?" + suffix
    verbs = sorted(d["verbs"], key=len, reverse=True)
    return Words(
        suffixes=tuple(d["suffixes"]),
        pronouns=tuple(d["pronouns"]),
        verbs=tuple(verbs),
        sentence_verbs=tuple(d["sentence_verbs"]),
        levels=tuple(d["levels"]),
        former=d["former"],
        current=d["current"],
        name=re.compile(r"^" + name + r"$"),
        inline_signature=re.compile(r"(?:^|[\s。；;，,：:])(?P<name>" + name + r")\s*" + _DATE + r"\s*$"),
        first_sentence=re.compile(
            r"^(?:20\d\d\s*年(?:度|以来)?\s*[，,、]?\s*)?(?:[^，,。]{0,12}?[，,]\s*)?(?P<name>"
            + name
            + r")(?="
            + "|".join(map(re.escape, d["sentence_verbs"]))
            + ")"
        ),
        verb_prefix=re.compile(r"^.*?(?:" + "|".join(map(re.escape, verbs)) + ")"),
    )


@dataclass
class Candidate:
    name: str
    source: str
    printed: str  # as found, before cleaning
    clean: bool  # nothing had to be stripped
    partial: bool  # names no region (省工业和信息化厅)


def clean(printed: str) -> str | None:
    """The name without pronouns, verbs and former names; None when nothing of a name is left."""
    w = words()
    name = re.sub(r"\s+", "", printed)
    if len(name) > _MAX_PRINTED:
        return None  # a sentence or a page's chrome, not a name
    name = _current_name(name)
    m = w.verb_prefix.match(name)
    if m and m.end() < len(name):
        name = name[m.end() :]
    for p in w.pronouns:
        if name.startswith(p):
            return None
    name = name.strip("()（）·")
    if len(name) < 2 or name in w.suffixes or not w.name.match(name):
        return None
    return name


def _current_name(name: str) -> str:
    """XX局（原YY局） → XX局; YY局（现XX局） → XX局."""
    w = words()
    m = re.search(r"[（(]\s*" + w.current + r"\s*([^（）()]+?)[）)]", name)
    if m:
        return m.group(1)
    return re.sub(r"[（(]\s*" + w.former + r"[^（）()]*[）)]", "", name)


def _candidate(printed: str, source: str) -> Candidate | None:
    name = clean(printed)
    if name is None:
        return None
    return Candidate(name, source, printed, name == re.sub(r"\s+", "", printed), _partial(name))


def _partial(name: str) -> bool:
    """A name that starts with a bare level word (省…, 市…) and no region name before it."""
    if not name.startswith(words().levels):
        return False
    from pipelines.entities import split_name

    chain, _ = split_name(name)
    return not chain


def candidates(segs: list[Seg], titles: list[tuple[str, int, str]]) -> list[Candidate]:
    """Every name the report gives itself, strongest source first; `titles` are meta.title_matches."""
    out: list[Candidate] = []
    for printed, _year, origin in titles:
        c = _candidate(printed, PAGE_TITLE if origin == "page" else TITLE)
        if c is not None:
            out.append(c)
    out += _signatures(segs)
    out += _attachments(segs)
    c = _first_sentence(segs)
    if c is not None:
        out.append(c)
    order = (TITLE, SIGNATURE, ATTACHMENT, FIRST_SENTENCE, PAGE_TITLE)
    return sorted(out, key=lambda c: order.index(c.source))


def _signatures(segs: list[Seg]) -> list[Candidate]:
    """A name line followed by a date line (or both on one line), at the end or under the title."""
    out: list[Candidate] = []
    n = len(segs)
    texts = {
        i: segs[i].flat.strip()
        for i in (*range(max(0, n - _SIGNATURE_TAIL - 2), n), *range(min(_SIGNATURE_HEAD + 2, n)))
    }
    spots = list(range(max(0, n - _SIGNATURE_TAIL), n)) + list(range(min(_SIGNATURE_HEAD, n)))
    seen: set[int] = set()
    for i in spots:
        if i in seen:
            continue
        seen.add(i)
        t = texts[i]
        if not t.endswith(_DATE_ENDS):
            continue
        if _DATE_LINE.match(t):
            for j in (i - 1, i - 2):  # the name, or a former name under it, above the date
                if j < 0 or texts[j].lstrip("（(").startswith(words().former):
                    continue
                c = _candidate(texts[j], SIGNATURE)
                if c is not None:
                    out.append(c)
                    break
            continue
        m = words().inline_signature.search(t[-_INLINE_TAIL:])
        if m:
            c = _candidate(m.group("name"), SIGNATURE)
            if c is not None:
                out.append(c)
    return out


def _attachments(segs: list[Seg]) -> list[Candidate]:
    out: list[Candidate] = []
    for s in segs:
        if s.kind != "text" or "附件" not in s.text:
            continue
        m = _ATTACHMENT.search(s.text)
        if not m:
            continue
        for printed, _year, _origin in meta.title_matches([Seg("text", text=m.group(1))], None):
            c = _candidate(printed, ATTACHMENT)
            if c is not None:
                out.append(c)
    return out


def _first_sentence(segs: list[Seg]) -> Candidate | None:
    """XX局认真贯彻… : the subject of the first sentence after the heading 一、总体情况."""
    for i, s in enumerate(segs):
        if s.section == 1 and s.kind == "text":
            text = s.text
            head = re.match(r"^一\s*[、.,，:：]\s*[^。\d]{0,6}?总体情况\s*", text)
            if head:
                text = text[head.end() :] or (segs[i + 1].flat if i + 1 < len(segs) else "")
            m = words().first_sentence.match("".join(text[:_SENTENCE_HEAD].split()))
            return _candidate(m.group("name"), FIRST_SENTENCE) if m else None
        if s.section > 1:
            break
    return None


def choose(report: Report, cands: list[Candidate]) -> str | None:
    """The agency's name from the candidates (strongest first), each inference and doubt said."""
    if not cands:
        report.add(
            "P102 agency_missing",
            "warning",
            "agency",
            "no agency name found in the title, a signature, an attachment line, the first sentence or the page title",
        )
        return None
    full = [c for c in cands if not c.partial]
    pick = full[0] if full else cands[0]
    if pick.partial:
        report.add(
            "P108 agency_partial",
            "warning",
            "agency",
            f"the report names itself only as {pick.name} ({pick.source}), without its region; kept as printed",
        )
    elif cands[0].partial and pick.name.endswith(cands[0].name):
        report.add(
            "P112 agency_fuller",
            "info",
            "agency",
            f"the {cands[0].source} names the agency as {cands[0].name}; the {pick.source} names it in full: {pick.name}",
        )
    if pick.source != TITLE:
        report.add("P111 agency_source", "info", "agency", f"agency {pick.name} taken from the {pick.source}")
    others = [c for c in full if not _agrees(c.name, pick.name)]
    if others:
        report.add(
            "P109 agency_disagree",
            "warning",
            "agency",
            f"the report names its agency differently: {pick.name} ({pick.source}) and "
            + ", ".join(f"{c.name} ({c.source})" for c in others[:3])
            + f"; {pick.name} kept",
        )
    if not pick.clean:
        confirmed = any(c is not pick and c.clean and _agrees(c.name, pick.name) for c in cands)
        what = f"agency printed as {pick.printed} ({pick.source}); read as {pick.name}"
        if confirmed:
            report.add("P110 agency_cleaned", "info", "agency", what + ", as another part of the report names it")
        else:
            report.add(
                "P113 agency_unconfirmed", "warning", "agency", what + "; nothing else in the report confirms it"
            )
    return pick.name


def _agrees(a: str, b: str) -> bool:
    """One name, perhaps with more of its region spelled out (洪泽区人民政府 / 淮安市洪泽区人民政府)."""
    if a == b or a.endswith(b) or b.endswith(a):
        return True
    from pipelines.entities import resolve

    ea, eb = resolve(a), resolve(b)
    return ea.status == "resolved" and ea.agency_id == eb.agency_id
