"""报告 Report: the report list (paginated) or, with ?report=<id>, one report laid out as in the template,
findings highlighted, the source path and text beside them."""

import math

import polars as pl
import streamlit as st

from app_pages._common import filters, lang, link_col, q, rename, report_link, t
from pipelines import templates as T
from pipelines.templates import TABLE3_COLUMN_LABELS, TABLE3_COLUMNS

f, L = filters(), lang()
ss = st.session_state

# labels from the template vocabulary: a row's group label before its first row, then its number and label
ROW_LABELS = {k: T.page_label(k) for k in T.ROW_KEYS}
T4_GROUPS = {g: T.TABLE4_GROUP[g].page for g in T.TABLE4_GROUPS}
T4_OUT = dict(T.TABLE4_OUTCOME_ZH)


def highlight(df: pl.DataFrame, flagged: set[tuple[str, str]], row_col: str, col_map: dict[str, str]):
    """A pandas Styler marking the cells named by a finding."""
    pdf = df.to_pandas().set_index(row_col)

    def style(data):
        out = data.copy().astype(str)
        out.loc[:, :] = ""
        for r_key, c_key in flagged:
            lbl_r, lbl_c = ROW_LABELS.get(r_key, r_key), col_map.get(c_key, c_key)
            if lbl_r in out.index and lbl_c in out.columns:
                out.loc[lbl_r, lbl_c] = "background-color: #ffd7a8; font-weight: bold"
            elif lbl_r in out.index and c_key in ("", "*"):
                out.loc[lbl_r, :] = "background-color: #ffe9cc"
        return out

    return pdf.style.apply(style, axis=None).format(lambda v: "" if v is None or v != v else f"{v:,.10g}")


def detail(rid: str) -> None:
    d = q("report_detail", rid)
    if d is None:
        st.error(t("report_not_found", id=rid))
        return
    r = d["report"]
    st.title(f"{r['agency_name'] or r['agency'] or '—'} · {r['year'] or '—'}")
    meta = {
        t("county"): " ".join(x for x in (r["province"], r["city"], r["county"]) if x),
        t("template"): r["template"],
        t("dataset_col"): r["dataset"],
        t("status"): r["status"],
        "format": r["format"] + (" (OCR)" if r.get("ocr") else ""),
        t("findings"): str(r["n_findings"]),
        "report_id": r["report_id"],
    }
    st.dataframe(
        pl.DataFrame({"k": list(meta), "v": [str(v) for v in meta.values()]}),
        hide_index=True,
        column_config={"k": st.column_config.TextColumn(""), "v": st.column_config.TextColumn("")},
    )
    st.text(f"{t('source')}: {r['source_path']}")
    if r.get("ocr"):
        st.warning(t("ocr_note"), icon=":material/document_scanner:")

    cells, fnd = d["cells"], d["findings"]
    flagged3, flagged4 = set(), set()
    for loc in fnd["location"].drop_nulls().to_list():
        parts = loc.split(".")
        if parts[0] == "table3" and len(parts) >= 2:
            flagged3.add((parts[1], parts[2] if len(parts) > 2 else "*"))
        elif parts[0] == "table4" and len(parts) >= 2:
            flagged4.add(parts[1])

    left, right = st.columns([3, 2])
    with left:
        st.subheader(t("table3"))
        c3 = cells.filter(pl.col("table_no") == 3)
        version = r["template"] if r["template"] in T.templates() else T.versions()[-1]
        rows = list(T.get(version).table3_keys)
        rows += [k for k in c3["row_key"].unique().to_list() if k not in rows]
        grid = {ROW_LABELS.get(k, k): dict.fromkeys(TABLE3_COLUMNS) for k in rows}
        for rr in c3.iter_rows(named=True):
            grid.setdefault(ROW_LABELS.get(rr["row_key"], rr["row_key"]), dict.fromkeys(TABLE3_COLUMNS))
            grid[ROW_LABELS.get(rr["row_key"], rr["row_key"])][rr["col_key"]] = rr["value"]
        t3 = pl.DataFrame(
            [{"row": k, **{TABLE3_COLUMN_LABELS[c]: v.get(c) for c in TABLE3_COLUMNS}} for k, v in grid.items()],
            schema={"row": pl.Utf8, **{TABLE3_COLUMN_LABELS[c]: pl.Float64 for c in TABLE3_COLUMNS}},
        )
        st.dataframe(highlight(t3, flagged3, "row", TABLE3_COLUMN_LABELS), width="stretch", height=36 * (t3.height + 1))

        st.subheader(t("table4"))
        c4 = {rr["col_key"]: rr["value"] for rr in cells.filter(pl.col("table_no") == 4).iter_rows(named=True)}
        facts = d["facts"] or {}
        t4 = pl.DataFrame(
            [
                {"row": g, **{T4_OUT[o]: c4.get(f"{p}_{o}", facts.get(f"{p}_{o}")) for o in T4_OUT}}
                for p, g in T4_GROUPS.items()
            ],
            schema={"row": pl.Utf8, **dict.fromkeys(T4_OUT.values(), pl.Float64)},
        )
        flag4 = set()
        for key in flagged4:
            for p, g in T4_GROUPS.items():
                if key.startswith(p + "_") and key[len(p) + 1 :] in T4_OUT:
                    flag4.add((g, T4_OUT[key[len(p) + 1 :]]))
        ROW_LABELS.update({g: g for g in T4_GROUPS.values()})
        st.dataframe(highlight(t4, flag4, "row", {v: v for v in T4_OUT.values()}), width="stretch")

        c2 = cells.filter(pl.col("table_no") == 2)
        if not c2.is_empty():
            st.subheader(t("table2"))
            st.dataframe(c2.select("row_key", "value", "raw", "state"), hide_index=True, width="stretch")
    with right:
        st.subheader(t("findings"))
        if fnd.is_empty():
            st.success(t("no_findings"))
        else:
            for fr in fnd.iter_rows(named=True):
                box = st.error if fr["severity"] == "error" else st.warning if fr["severity"] == "warning" else st.info
                box(f"[{fr['check_id']}] {fr['location'] or ''}\n\n{fr['message'] or ''}")
        st.subheader(t("text"))
        with st.container(height=520):
            st.text(d["text"] or "—")


def report_list() -> None:
    st.title(t("report_list"))
    n = q("report_count", f)
    per = 50
    pages = max(1, math.ceil(n / per))
    c1, c2, c3 = st.columns([1, 1, 2])
    if not isinstance(ss.get("pg"), int) or not 1 <= ss["pg"] <= pages:
        ss["pg"] = 1
    c1.number_input(t("page_n") + f" / {pages}", min_value=1, max_value=pages, step=1, key="pg")
    sorts = ["year", "agency", "county", "findings", "applications"]
    sort = c2.selectbox(t("sort"), sorts, key="rep_sort", format_func=lambda s_: t(f"sort_{s_}"))
    c3.caption(f"{n:,} " + t("reports"))
    rl = q("report_list", f, per, (ss["pg"] - 1) * per, sort)
    rl = rl.with_columns(link_col(rl, "report_id", report_link))
    st.dataframe(
        rename(
            rl.select(
                "link",
                "agency_name",
                "county",
                "year",
                "template",
                "status",
                "n_findings",
                T.FIRST_ROW,  # 本年新收
                T.TOTAL_ROW,  # 办理总计
                "open_rate_A",
                "dataset",
            )
        ),
        hide_index=True,
        width="stretch",
        column_config={
            t("link"): st.column_config.LinkColumn(display_text=t("open")),
            t("open_rate_A"): st.column_config.NumberColumn(format="percent"),
        },
    )


rid = ss.get("report")
if rid:
    if st.button(t("back_to_list"), icon=":material/arrow_back:"):
        ss["report"] = ""
        st.rerun()
    detail(str(rid))
else:
    report_list()
