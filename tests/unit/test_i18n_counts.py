"""Count phrases (issue 17, defect 9): English says "1 report" and "2 reports", never "1 entities" or
"report(s)"; Chinese needs no plural; the pages' vocabulary is one dict (pipelines.i18n.S)."""

from __future__ import annotations

import re

from pipelines import i18n

FIELDS = re.compile(r"\{(\w+)[^}]*\}")


def _args(s: str, n: object) -> dict:
    return {k: (n if k in ("n", "max") else 7) for k in FIELDS.findall(s)}


def test_english_counts_agree_with_their_number():
    plural_keys = [k for k, (_, en) in i18n.S.items() if "[[" in en]
    assert {"n_reports_caption", "low_n_note", "null_note", "anomaly_note"} <= set(plural_keys)
    for key in plural_keys:
        en = i18n.S[key][1]
        one, many = i18n.t(key, "en", **_args(en, 1)), i18n.t(key, "en", **_args(en, "1,234"))
        assert "[[" not in one and "[[" not in many
        assert one != many, key
    assert i18n.t("n_reports_caption", "en", n=1) == "1 report"
    assert i18n.t("n_reports_caption", "en", n="1,234") == "1,234 reports"
    assert i18n.t("low_n_note", "en", n=1, m=30).startswith("1 entity with")
    assert i18n.t("low_n_note", "en", n=3, m=30).startswith("3 entities with")
    assert i18n.t("n_agencies_caption", "zh", n="43") == "共 43 个机关"


def test_no_guessed_plurals_and_no_plural_marks_in_chinese():
    for key, (zh, en) in i18n.S.items():
        assert "(s)" not in en, key
        assert "[[" not in zh, key


def test_pages_keep_no_vocabulary_of_their_own():
    """The pages' words are pipelines.i18n's: no page-local {key: (zh, en)} dict shaped like i18n.S."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "app_pages"
    shaped = re.compile(r"^[A-Z_]+ = \{\n\s+\"\w+\": \(\s*\"", re.M)
    offenders = [p.name for p in root.glob("*.py") if shaped.search(p.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_the_briefings_counts_agree_with_their_number():
    """生成分析简报's own phrases: every English count phrase goes through i18n.plural ("1 more report", "2 more
    reports"), the Chinese one reads without a plural mark."""
    from pipelines import briefing

    counted = [k for k, (_, en) in briefing.T.items() if "{n}" in en]
    assert {"low_n_note", "more_sources"} <= set(counted)
    for key in counted:
        zh, en = briefing.T[key]
        assert "[[" in en and "[[" not in zh and "(s)" not in en, key
        assert briefing._t(key, "en", n=1) != briefing._t(key, "en", n="1,234"), key
        assert "[[" not in briefing._t(key, "en", n=1) + briefing._t(key, "zh", n=1)
    assert briefing._t("more_sources", "en", n="1") == "1 more report not listed."
    assert briefing._t("more_sources", "en", n="1,234") == "1,234 more reports not listed."
    assert briefing._t("low_n_note", "en", n="1") == "1 entity left out of the ranking for too few cases."
    assert briefing._t("low_n_note", "en", n="3") == "3 entities left out of the ranking for too few cases."
    assert briefing._t("low_n_note", "zh", n="3") == "3 个对象因样本不足未参与排名。"
