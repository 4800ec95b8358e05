"""AppTest: every page runs; filters change the figures exactly as independent SQL says; URL round trip;
the compare page's CSV download holds the right rows."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import CHOSEN_MEASURES, assert_ok, new_app, run_compare_chosen, run_page

from pipelines import numfmt
from tests.tables import shown_tables

PAGES = ["overview", "applications", "outcomes", "disputes", "compare", "report", "upload"]


def metric(at, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


def num(s: str) -> float:
    return float(s.split(" ")[0].replace(",", "").rstrip("%"))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(db, page):
    at = run_page(page if page != "overview" else None)
    assert_ok(at)
    assert at.title, "each page has a title"
    # synthetic data is labelled as such
    assert any("演示数据（合成）" in m.value for m in at.markdown), "demo badge missing"


@pytest.mark.slow
def test_every_page_runs_in_english_with_filters(db, sql):
    county = sql.execute(
        "SELECT county FROM reports WHERE county IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    for page in PAGES:
        at = run_page(page if page != "overview" else None, lang="en", cty=[county], y="2020-2022", basis="C")
        assert_ok(at)
    assert any("Demo data (synthetic)" in m.value for m in at.markdown)


def test_missing_warehouse_is_a_friendly_message(tmp_path, monkeypatch):
    monkeypatch.setenv("XXGK_DB", str(tmp_path / "nothing.duckdb"))
    at = new_app()
    at.run()
    assert not at.exception
    assert any("nothing.duckdb" in w.value for w in at.warning)
    assert at.file_uploader, "the import page is offered"


def test_filter_changes_kpi_exactly(db, sql):
    county = sql.execute(
        "SELECT county FROM reports WHERE county IS NOT NULL GROUP BY 1 ORDER BY 1 LIMIT 1"
    ).fetchone()[0]
    at = run_page()
    before = num(metric(at, "本年新收申请数"))
    at.slider(key="y").set_value((2020, 2022))
    at.multiselect(key="cty").set_value([county])
    at.run()
    assert_ok(at)
    exp_apps, exp_num, exp_den = sql.execute(
        "SELECT sum(x.new_received), sum(x.granted + x.partial) FILTER (WHERE x.granted + x.partial IS NOT NULL "
        "AND x.total_handled IS NOT NULL), sum(x.total_handled) FILTER (WHERE x.granted + x.partial IS NOT NULL "
        "AND x.total_handled IS NOT NULL) FROM reports r JOIN report_facts x USING (report_id) "
        "WHERE r.county = ? AND r.year = 2022",
        [county],
    ).fetchone()
    assert num(metric(at, "本年新收申请数")) == exp_apps
    assert exp_apps != before
    assert metric(at, "公开率（口径A）").startswith(f"{exp_num / exp_den:.1%}")
    # the district ranking now holds that one district only, with the same numerator/denominator
    rank_tables = [d.value for d in shown_tables(at) if "区县" in list(d.value.columns)]
    assert rank_tables and list(rank_tables[0]["区县"]) == [county]


def test_rate_basis_switch(db, sql):
    at = run_page(basis="B")
    assert_ok(at)
    n, d = sql.execute(
        "SELECT sum(x.granted) FILTER (WHERE x.granted IS NOT NULL AND x.total_handled IS NOT NULL), "
        "sum(x.total_handled) FILTER (WHERE x.granted IS NOT NULL AND x.total_handled IS NOT NULL) "
        "FROM reports r JOIN report_facts x USING (report_id) WHERE r.year = "
        "(SELECT max(year) FROM reports)"
    ).fetchone()
    assert metric(at, "公开率（口径B）").startswith(f"{n / d:.1%}")


def test_url_round_trip(db, sql):
    counties = [
        r[0]
        for r in sql.execute(
            "SELECT DISTINCT county FROM reports WHERE county IS NOT NULL ORDER BY 1 LIMIT 2"
        ).fetchall()
    ]
    params = {
        "lang": "en",
        "ds": ["demo"],
        "cty": counties,
        "y": "2020-2022",
        "basis": "C",
        "minn": "10",
        "m": ["applications", "open_rate_C"],
        "ent": counties[:1],
        "cy": ["2021", "2022"],
    }
    at = new_app(**params)
    at.run()
    at.switch_page("app_pages/compare.py")
    at.run()
    assert_ok(at)
    assert at.radio(key="lang").value == "en"
    assert at.multiselect(key="ds").value == ["demo"]
    assert at.multiselect(key="cty").value == counties
    assert at.slider(key="y").value == (2020, 2022)
    assert at.radio(key="basis").value == "C"
    assert at.number_input(key="minn").value == 10
    assert at.multiselect(key="m").value == ["applications", "open_rate_C"]
    assert at.multiselect(key="ent").value == counties[:1]
    assert at.multiselect(key="cy").value == ["2021", "2022"]
    got = {k: at.query_params[k] for k in at.query_params}
    want = {k: (v if isinstance(v, list) else [v]) for k, v in params.items()}
    got = {k: (v if isinstance(v, list) else [v]) for k, v in got.items()}
    assert got == want


def test_report_link_opens_the_report(db, sql):
    rid, name, year = sql.execute(
        "SELECT report_id, agency_name, year FROM reports r WHERE EXISTS "
        "(SELECT 1 FROM findings f WHERE f.report_id = r.report_id) "
        "ORDER BY report_id LIMIT 1"
    ).fetchone()
    at = new_app(report=rid)
    at.run()
    assert_ok(at)
    assert any(name in t.value and str(year) in t.value for t in at.title)
    # every finding is on the page: marked on its cell (hover) and listed under its table or the report's head
    page = "\n".join(h.proto.body for h in at.get("html"))
    codes = [
        r[0].split()[0] for r in sql.execute("SELECT check_id FROM findings WHERE report_id = ?", [rid]).fetchall()
    ]
    assert codes and all(f"[{c}]" in page for c in codes)
    assert at.query_params["report"] == [rid] or at.query_params["report"] == rid


def test_report_list_links(db, sql):
    at = run_page("report")
    assert_ok(at)
    table = shown_tables(at)[0]
    df = table.value
    assert set(df["打开"]) == {"打开"}, "a click on 打开 opens the report in this tab"
    first = table.links("打开")[0]  # the link's address (Ctrl-click: a new tab)
    assert first.startswith("report?") and "report=" in first
    n = sql.execute("SELECT count(*) FROM reports").fetchone()[0]
    assert len(df) == min(50, n)


def test_compare_csv_matches_sql(db, sql, monkeypatch):
    from streamlit.runtime import media_file_manager as mfm

    from app_pages import _export

    captured = {}
    orig = mfm.MediaFileManager.add

    def add(self, data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name:
            captured[file_name] = data
        return orig(self, data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(mfm.MediaFileManager, "add", add)
    counties = [
        r[0]
        for r in sql.execute(
            "SELECT DISTINCT county FROM reports WHERE county IS NOT NULL ORDER BY 1 LIMIT 2"
        ).fetchall()
    ]
    at = run_page("compare", ent=counties, cy=["2021", "2022"], m=["applications", "open_rate_A"])
    assert_ok(at)
    (name,) = [n for n in captured if n.startswith("xxgk-compare-detail-") and n.endswith(".csv")]
    got, head = _export.read_csv(captured[name])
    assert head["区县"] == "全部" and head["公开率口径"].startswith("A")
    exp = pl.from_arrow(
        sql.sql(
            "SELECT r.county AS entity, r.year, sum(x.new_received) AS apps, "
            "sum(x.granted + x.partial) FILTER (WHERE x.granted + x.partial IS NOT NULL AND x.total_handled IS NOT NULL) "
            "AS num, sum(x.total_handled) FILTER (WHERE x.granted + x.partial IS NOT NULL AND x.total_handled IS NOT NULL)"
            " AS den FROM reports r JOIN report_facts x USING (report_id) WHERE r.county IN (?, ?) AND r.year IN "
            "(2021, 2022) GROUP BY ALL ORDER BY ALL",
            params=counties,
        ).to_arrow_table()
    )
    # the CSV holds the table as shown: the entity column named by the level (区县), numbers as numfmt prints them
    apps = got.filter(pl.col("指标") == "本年新收申请数").sort("区县", "年度")
    assert apps["区县"].to_list() == exp["entity"].to_list()
    assert apps["年度"].to_list() == exp["year"].to_list()
    assert [str(v) for v in apps["数值"]] == [numfmt.count(v) for v in exp["apps"]]
    rate = apps = got.filter(pl.col("指标") == "公开率（口径A）").sort("区县", "年度")
    assert [str(v) for v in rate["分子"]] == [numfmt.count(v) for v in exp["num"]]
    assert [str(v) for v in rate["分母"]] == [numfmt.count(v) for v in exp["den"]]
    assert rate["口径（定义）"].str.contains("口径A").all()
    assert {"分子", "分母", "空值报告数"} <= set(got.columns)
    assert got.height == 2 * exp.height


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_by_district_with_only_city_level_agencies_says_so(tmp_path, monkeypatch, lang):
    """A warehouse whose reports are all a city's own agencies' (淮安市人民政府 2024, a real report: 淮安市（市级
    机关）) has no district: the 对比 page by district says so and points to comparing agencies (it asked to "pick
    at least one entity" from an empty list); by agency the same warehouse compares. A report's page prints its
    status as a label of its own (capitalised in English)."""
    import duckdb

    from pipelines import i18n
    from pipelines.warehouse.ingest import ingest
    from tests.conftest import shared_path

    p = tmp_path / "city.duckdb"
    ingest([shared_path("real-reports", "huaian-city-government-2024.txt")], db=p, dataset="real", progress=False)
    con = duckdb.connect(str(p), read_only=True)
    assert con.execute("SELECT count(*) FILTER (WHERE county IS NOT NULL), count(*) FROM reports").fetchone() == (0, 1)
    ids = [r[0] for r in con.execute("SELECT DISTINCT agency_id FROM reports ORDER BY 1").fetchall()]
    rid, status = con.execute("SELECT report_id, status FROM reports").fetchone()
    con.close()
    monkeypatch.setenv("XXGK_DB", str(p))
    at = run_page("compare", lang=lang, lvl="county")
    assert_ok(at)
    assert [i.value for i in at.info] == [i18n.t("compare_no_districts", lang)]
    at = run_page("compare", lang=lang, lvl="agency", ent=ids)
    assert_ok(at)
    assert not at.info and shown_tables(at)  # by agency, the same warehouse compares
    at = run_page("report", lang=lang, report=rid)
    assert_ok(at)
    meta = "".join(h.proto.body for h in at.get("html"))
    label = i18n.cell(i18n.status_label(status, lang), lang)
    assert f">{label}<" in meta and (label[0].isupper() if lang == "en" else True)


def test_outcomes_rate_caption_is_a_sentence_in_english(db):
    """The definition under 公开率's chart stands on its own: "Basis A: (granted + …", not "basis A: …"."""
    from pipelines import read

    at = run_page("outcomes", lang="en")
    assert_ok(at)
    basis = read.MEASURES["open_rate_A"].basis("en")
    assert basis.startswith("basis A: ")
    assert "B" + basis[1:] in [c.value for c in at.caption]


def test_compare_columns_follow_the_chosen_measures(db, sql):
    """对比's table: one column per measure in the order chosen (as the heatmap's panels), after 区县 and 年度;
    the pivot's own order put 纠错率 before 行政复议数 whatever the choice."""
    from pipelines import read

    chosen = CHOSEN_MEASURES
    at = run_compare_chosen(sql)
    d = next(d.value for d in shown_tables(at) if "区县" in d.value.columns and "年度" in d.value.columns)
    assert list(d.columns) == ["区县", "年度", *[read.MEASURES[m].label("zh") for m in chosen]]


def test_one_year_in_view_is_said_in_the_uis_punctuation(tmp_path, monkeypatch):
    """A warehouse of one year shows it as a caption in place of the year slider: 年度：2020 (full-width colon)
    in Chinese, "Years: 2020" in English."""
    from pathlib import Path

    from pipelines.warehouse.ingest import ingest

    p = tmp_path / "one.duckdb"
    sample = sorted((Path(__file__).resolve().parents[2] / "data" / "samples").glob("*.txt"))
    ingest(sample, db=p, dataset="sample", progress=False)
    monkeypatch.setenv("XXGK_DB", str(p))
    for lang, want in (("zh", "年度：2020"), ("en", "Years: 2020")):
        at = run_page(lang=lang)
        assert_ok(at)
        assert want in [c.value for c in at.sidebar.caption], [c.value for c in at.sidebar.caption]


def test_findings_status_is_not_a_second_open_in_english(db):
    """数据质量's findings: a finding's status (待处理 / 已更正) beside the 打开 link column; in English the status
    read "Open" beside "Open": it reads "Pending"."""
    from pipelines import i18n

    at = run_page("quality", lang="en", ds="demo")
    assert_ok(at)
    d = next(d.value for d in shown_tables(at) if "Message" in d.value.columns)
    assert set(d["Status"]) <= {"Pending", i18n.t("q_corrected", "en")} and "Pending" in set(d["Status"])
    assert set(d["Open"]) == {"Open"}
