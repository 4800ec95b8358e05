"""UI strings, Chinese first (the template's own terms), English behind one switch."""

from __future__ import annotations

import re

LANGS = ("zh", "en")

S: dict[str, tuple[str, str]] = {
    "app_title": ("政府信息公开工作年度报告 数据看板", "Government information disclosure annual reports — dashboard"),
    "page_overview": ("总览", "Overview"),
    "page_applications": ("申请量", "Applications"),
    "page_outcomes": ("办理结果", "Outcomes"),
    "page_disputes": ("复议诉讼", "Reviews & lawsuits"),
    "page_compare": ("对比", "Compare"),
    "page_report": ("报告", "Report"),
    "page_import": ("导入", "Import"),
    "page_quality": ("数据质量", "Data quality"),
    "page_map": ("地图", "Map"),
    "map_default": (
        "未选择省份或城市：显示报告最多的城市（{place}）。在左侧选择省份可看其各城市。",
        "No province or city chosen: showing the city with most reports ({place}). Choose a province on the left "
        "to see its cities.",
    ),
    "map_no_shape": (
        "以下地区在边界数据中没有对应区域（多为已撤并的区县），未在地图上显示：{names}",
        "No boundary in the map data for (mostly merged districts), not drawn: {names}",
    ),
    # the reports in view that no area of the map holds: a city's own agencies have no district (at the city
    # level, a province's own agencies no city)
    "map_only_left_off": (
        "所选范围内的 {n} 份报告都来自{names}，不属于任何{area}，地图上没有可着色的区域。",
        "[[The one report|All {n} reports]] in this selection [[is|are]] from {names}, in no {area}: there is no "
        "area to colour on the map.",
    ),
    "map_left_off": (
        "另有 {n} 份报告来自{names}，不属于任何{area}，未在地图上着色，也不在下表中。",
        "{n} more [[report is|reports are]] from {names}, in no {area}: not coloured on the map, nor in the table "
        "below.",
    ),
    "area_county": ("区县", "district"),
    "area_city": ("城市", "city"),
    "province_level": ("（省级机关）", "(province level)"),
    "map_source": (
        "点击地图上的区域即按该地区筛选全部页面。边界数据：{src}。",
        "Click an area to filter every page to it. Boundaries: {src}.",
    ),
    "note": ("说明", "Note"),
    "briefing": ("分析简报", "Briefing"),
    "briefing_go": ("生成分析简报", "Make the briefing"),
    "briefing_busy": ("正在生成分析简报…", "Making the briefing…"),
    "briefing_html": ("下载简报（HTML）", "Download (HTML)"),
    "briefing_pdf": ("下载简报（PDF）", "Download (PDF)"),
    "briefing_no_pdf": ("本机没有无头浏览器，仅提供 HTML。", "No headless browser here: HTML only."),
    "page_checks": ("校验规则", "Checks"),
    "language": ("语言 / Language", "语言 / Language"),
    "filters": ("筛选", "Filters"),
    "dataset": ("数据集", "Dataset"),
    "province": ("省份", "Province"),
    "city": ("城市", "City"),
    "counties": ("区县", "Districts"),
    "agency_types": ("机关类型", "Agency type"),
    "agency_search": ("搜索机关名称", "Search agency name"),
    "agencies": ("机关", "Agencies"),
    "years": ("年度", "Years"),
    "templates": ("报告格式版本", "Template version"),
    "basis": ("公开率口径", "Disclosure-rate basis"),
    "min_cases": ("最小样本量（分母低于此值标为样本不足）", "Minimum cases (smaller denominators are flagged low-n)"),
    "all": ("全部", "All"),
    "all_real": ("全部真实数据（不含合成演示数据）", "All real data (without the synthetic demo)"),
    "dataset_help": (
        "未选择时显示全部真实数据；合成演示数据（demo）只在选中它、或没有其他数据时显示，并在每页标明。"
        "同一文件（SHA-256 相同）只入库一次，在合并的数据集中只计一次。",
        "With none chosen: all real data. The synthetic demo shows only when chosen, or when nothing else is "
        "loaded, and every page then says so. A file (same SHA-256) is stored once and counts once wherever "
        "datasets are combined.",
    ),
    "demo_badge": ("演示数据（合成）", "Demo data (synthetic)"),
    "demo_note": (
        "所选数据包含合成的演示数据，数字不代表任何真实机关。",
        "The selection includes synthetic demo data; the figures describe no real agency.",
    ),
    "no_db": (
        "尚未找到数据仓库：{path}。请先在“导入”页面导入报告，或运行 `xxgk ingest`，或设置环境变量 XXGK_DB。",
        "No warehouse found at {path}. Import reports on the Import page, run `xxgk ingest`, or set XXGK_DB.",
    ),
    "no_data": ("所选范围内没有数据。", "No data for this selection."),
    "table_empty": ("所选范围内没有符合条件的行。", "No rows match this selection."),
    "reports": ("报告数", "Reports"),
    "vs_prev": ("较上年", "vs previous year"),
    "latest_year": ("最新年度：{y}", "Latest year: {y}"),
    "period": ("统计期间", "Period"),
    "period_latest": ("{y} 年", "{y}"),
    "period_range": ("{a}–{b} 年合计（比率为合并计算）", "{a}–{b} summed (rates pooled)"),
    "span": ("{a}–{b} 年", "{a}–{b}"),
    "span_one": ("{y} 年", "{y}"),
    "trend": ("逐年趋势", "Trend by year"),
    "ranking_districts": ("区县排名", "Districts ranked"),
    "ranking_agencies": ("机关排名", "Agencies ranked"),
    "measure": ("指标", "Measure"),
    "low_n": ("样本不足", "low n"),
    "low_n_note": (
        "{n} 个对象分母低于 {m}，标为样本不足，未参与排名。",
        "{n} [[entity|entities]] with a denominator below {m}: flagged low n and left out of the ranking.",
    ),
    "null_note": (
        "{n} 份报告该项为空，已排除（未按 0 计）。",
        "{n} [[report has|reports have]] no value here: excluded (not counted as 0).",
    ),
    "n_reports_caption": ("共 {n} 份报告", "{n} [[report|reports]]"),
    "n_agencies_caption": ("共 {n} 个机关", "{n} [[agency|agencies]]"),
    "no_chart_values": (
        "所选范围内各项数值均为 0 或为空，故不绘图。",
        "Every value in this selection is 0 or blank: nothing to chart.",
    ),
    "no_chart_data": (
        "所选范围内没有可绘制的数值（无数据或均为空值），故不绘图。",
        "Nothing to chart for this selection (no data, or only blanks).",
    ),
    "null_note_items": (
        "{n} 份报告以下各项为空，已排除（未按 0 计）：{items}。",
        "{n} [[report|reports]] left these blank, excluded (not counted as 0): {items}.",
    ),
    "anomaly_note": (
        "{n} 份报告该比率超出 0–100 %（分子大于分母或为负，违反模板恒等式），标为数据异常，已从合计与排名中排除。",
        "{n} [[report gives|reports give]] this rate outside 0–100 % (numerator above its denominator or "
        "negative, against the template's identities): flagged as anomalous data and left out of totals and "
        "rankings.",
    ),
    "anomaly_link": (
        "查看数据异常的报告与校验结果（数据质量）",
        "See the anomalous reports and their findings (Data quality)",
    ),
    "anomalous": ("数据异常", "Anomalous data"),
    "rate_help": (
        "分子 {num:,.0f} ÷ 分母 {den:,.0f}；{basis}",
        "numerator {num:,.0f} ÷ denominator {den:,.0f}; {basis}",
    ),
    "by": ("分组", "Group by"),
    "by_county": ("区县", "District"),
    "by_agency": ("机关", "Agency"),
    "by_year": ("年度", "Year"),
    "applicant_mix": ("申请人构成", "Applicants"),
    "yoy": ("同比变化", "Change vs previous year"),
    "composition": ("办理结果构成", "Outcome composition"),
    "refusals": ("不予公开、无法提供、不予处理的理由", "Reasons for withholding, inability and non-processing"),
    "refusals_by_county": ("各区县理由构成对比", "Reasons compared across districts"),
    "chart_top_n": (
        "图中为不予公开等理由最多的 {n} 个区县（共 {total:,} 个），下表列出全部区县。",
        "The chart shows the {n} [[district|districts]] with most reasons given (of {total:,}); the table lists "
        "them all.",
    ),
    "open_rate": ("公开率", "Disclosure rate"),
    "disputes": ("行政复议、行政诉讼", "Administrative reviews and lawsuits"),
    "disputes_mix": ("结果构成", "Outcome mix"),
    "correction": ("纠错率与每百件申请诉讼数", "Correction rates and lawsuits per 100 applications"),
    "compare_level": ("对比对象", "Compare"),
    "compare_entities": ("选择对象", "Pick entities"),
    "compare_years": ("年度", "Years"),
    "compare_measures": ("指标", "Measures"),
    "heatmap": ("热力图", "Heatmap"),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_xlsx": ("下载 Excel 工作簿", "Download Excel workbook"),
    "download_parquet": ("下载 Parquet", "Download Parquet"),
    "download_png": ("下载图表 PNG", "Download chart PNG"),
    "download_svg": ("下载图表 SVG", "Download chart SVG"),
    "export_chart": ("导出图表", "Export chart"),
    "report_list": ("报告列表", "Reports"),
    "report_not_found": ("未找到报告 {id}。", "Report {id} not found."),
    "ocr_note": (
        "本报告为扫描件，数字经 OCR 识别：每个单元格的置信度较低，经表内勾稽关系校正或标记的单元格见“发现”。",
        "This report is a scan read by OCR: every cell has lower confidence; cells corrected or flagged "
        "by the table's identities are listed under findings.",
    ),
    "back_to_list": ("返回报告列表", "Back to the list"),
    "page_n": ("页码", "Page"),
    "rows_paged": ("第 {a}–{b} 行，共 {n} 行（导出含全部行）", "Rows {a}–{b} of {n} (the export has every row)"),
    "sort": ("排序", "Sort"),
    "source": ("来源文件", "Source file"),
    "findings": ("校验发现", "Findings"),
    "no_findings": ("没有校验发现。", "No findings."),
    "text": ("报告正文", "Report text"),
    "table2": ("二、主动公开政府信息情况", "2. Proactive disclosure"),
    "table3": ("三、收到和处理政府信息公开申请情况", "3. Applications received and handled"),
    "table4": ("四、政府信息公开行政复议、行政诉讼情况", "4. Administrative review and lawsuits"),
    "open": ("打开", "Open"),
    "open_help": (
        "点击“打开”在本页打开；按住 Ctrl 点击或用鼠标中键点击，在新标签页打开。",
        "Click “Open” to open it here; Ctrl+click or middle-click opens it in a new tab.",
    ),
    "new_tab": ("新标签页", "New tab"),
    "exp_page": ("页面", "Page"),
    "basis_col": ("口径（定义）", "Definition"),
    "exp_link": ("页面链接", "Link to this view"),
    "exp_generated": ("生成时间", "Generated"),
    "exp_data": ("数据", "Data"),
    "exp_notes": ("说明", "About"),
    "corrections": ("人工更正记录", "Corrections by hand"),
    "corrections_note": (
        "表中数字已按人工更正显示（蓝色）；原始提取值与更正理由见下表，所有页面和导出均使用更正后的值。",
        (
            "The tables show the corrected values (blue); the extracted values and the reasons are below. Every page "
            "and export uses the corrected values."
        ),
    ),
    "corr_active": ("生效", "in force"),
    "corr_undone": ("已撤销", "undone"),
    "correction_id": ("更正编号", "Correction"),
    "where": ("位置", "Where"),
    "table_no": ("表", "Table"),
    "row_key": ("行", "Row"),
    "col_key": ("列", "Column"),
    "old_value": ("原值", "Extracted"),
    "new_value": ("更正值", "Corrected"),
    "author": ("更正人", "Author"),
    "created_at": ("时间", "At"),
    "exp_rates": ("比率口径", "Rates"),
    "exp_rates_note": (
        "比率 = Σ分子 ÷ Σ分母，只计分子、分母均非空的报告；分母小于 {m} 标记为样本不足；空值不计为 0（见空值报告数）",
        (
            "rate = Σ numerator ÷ Σ denominator over reports where both are known; a denominator under {m} is "
            "flagged low-n; null cells are excluded (reports with null), never counted as 0"
        ),
    ),
    "link": ("链接", "Link"),
    "upload": ("上传报告文件", "Upload report files"),
    "upload_help": (
        (
            "支持网页（html）、文本（txt、md）、PDF、Word（docx、doc）及扫描图片（png、jpg、tif）；"
            "单个文件不超过 {mb} MB，每次最多 {n} 个文件、合计不超过 {total} MB。"
        ),
        (
            "Web pages (html), text (txt, md), PDF, Word (docx, doc) and scans (png, jpg, tif); "
            "at most {mb} MB per file, {n} [[file|files]] and {total} MB per import."
        ),
    ),
    "server_folder": ("或：服务器上允许导入的文件夹中的路径", "Or: a folder inside the server's import folder"),
    "server_folder_help": (
        "只能导入 {root} 及其子文件夹中的文件（相对路径从该文件夹算起；指向其外的链接会被拒绝）。",
        "Only files in {root} and its subfolders (relative paths start there; links leading outside are refused).",
    ),
    "folder_off": (
        "此服务器未开放从服务器文件夹导入（由管理员设置环境变量 XXGK_IMPORT_ROOT 开放一个文件夹）；请上传文件。",
        (
            "Importing from a server folder is off on this server (the operator sets XXGK_IMPORT_ROOT to allow one "
            "folder); upload files instead."
        ),
    ),
    "import_dataset": ("数据集名称", "Dataset name"),
    "import_go": ("开始导入", "Import"),
    "import_done": (
        "导入完成：新增 {loaded}，未变 {unchanged}，替换 {replaced}，失败 {failed}，跳过 {skipped}。",
        (
            "Import finished: {loaded} loaded, {unchanged} unchanged, {replaced} replaced, {failed} failed, "
            "{skipped} skipped."
        ),
    ),
    "import_failed": ("失败的文件", "Failed files"),
    "import_none": ("没有可导入的文件。", "Nothing to import."),
    "import_toobig": ("超过 {mb} MB，未导入", "larger than {mb} MB: not imported"),
    "import_too_many": (
        "一次最多导入 {max} 个文件，已选择 {n} 个：未导入任何文件，请分批上传。",
        "Too many files: {n} chosen, at most {max} per import. Nothing imported: upload them in batches.",
    ),
    "import_too_large": (
        "一次导入合计不超过 {max} MB，已选择 {mb} MB：未导入任何文件，请分批上传。",
        "At most {max} MB per import; {mb} MB chosen: nothing imported, upload them in batches.",
    ),
    "import_refused": ("未导入：{why}", "Not imported: {why}"),
    "refused_off": ("此服务器未开放从服务器文件夹导入", "folder import is off on this server"),
    "refused_empty": ("未填写文件夹", "no folder given"),
    "refused_outside": (
        "{path} 不在允许导入的文件夹 {root} 之内",
        "{path} is outside the folder this server allows ({root})",
    ),
    "refused_not_dir": ("{root} 中没有文件夹 {path}", "no folder {path} under {root}"),
    "import_outside_root": ("链接指向允许的文件夹之外，已拒绝", "a link leading outside the allowed folder: refused"),
    "importing": ("正在导入 {i}/{n} …", "Importing {i}/{n} …"),
    "imp_file": ("文件", "File"),
    "imp_detail": ("说明", "Detail"),
    "imp_queued": ("等待", "queued"),
    "imp_extracting": ("提取中", "extracting"),
    "imp_extracted": ("已提取，待写入", "extracted, being written"),
    "imp_loaded": ("已导入", "loaded"),
    "imp_replaced": ("已导入（替换旧版）", "loaded (replaced an earlier one)"),
    "imp_reextracted": (
        "已重新提取（新版提取程序，替换旧的读取结果）",
        "read again by a newer extractor (replaces the earlier reading)",
    ),
    "imp_unchanged": ("已存在，未变", "already there, unchanged"),
    "imp_failed": ("失败", "failed"),
    "imp_skipped": ("跳过（非报告文件）", "skipped (not a report)"),
    "imp_refused": ("已拒绝", "refused"),
    "skip_hidden": ("隐藏文件", "hidden file"),
    "skip_truth": ("报告的人工核对结果（*.truth.json）", "a report's hand-checked truth (*.truth.json)"),
    "skip_json": ("JSON 数据文件，不是报告", "JSON data, not a report"),
    "skip_note": ("说明文件（README、SOURCES 等），不是报告", "a note (README, SOURCES …), not a report"),
    "definitions": ("指标定义与口径", "Definitions and bases"),
    "synthetic_caption": ("合成演示数据", "synthetic demo data"),
    "total": ("合计", "Total"),
    "share": ("占比", "Share"),
    "value": ("数值", "Value"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "year": ("年度", "Year"),
    "county": ("区县", "District"),
    "agency": ("机关", "Agency"),
    "n_reports": ("报告数", "Reports"),
    "n_null": ("空值报告数", "Blanks"),
    "n_anomalous": ("数据异常报告数", "Anomalous"),
    "n_anomalous_help": (
        "比率超出 0–100 %（违反模板恒等式）的报告数：已从合计与排名中排除。",
        "Reports whose rate is outside 0–100 % (against the template's identities): left out of totals and rankings.",
    ),
    "n_null_help": (
        "该项为空的报告数：已排除，未按 0 计。",
        "Reports that left this blank: excluded, not counted as 0.",
    ),
    "proceeding": ("类别", "Proceeding"),
    "outcome": ("结果", "Outcome"),
    "group": ("类别", "Group"),
    "reason": ("理由", "Reason"),
    "rank": ("名次", "Rank"),
    "status": ("状态", "Status"),
    "template": ("格式版本", "Template"),
    "dataset_col": ("数据集", "Dataset"),
    "applications": ("本年新收申请数", "New applications"),
    "change": ("变化", "Change"),
    "change_pct": ("变化率", "Change %"),
    "new_received": ("本年新收", "New"),
    "n_findings": ("校验发现数", "Findings"),
    "sort_year": ("年度（新→旧）", "Year (newest first)"),
    "sort_agency": ("机关名称", "Agency name"),
    "sort_county": ("区县", "District"),
    "sort_findings": ("校验发现数", "Findings"),
    "sort_applications": ("申请量", "Applications"),
    "total_handled": ("办理总计", "Handled"),
    "open_rate_A": ("公开率（口径A）", "Disclosure rate (A)"),
    "prev": ("上年", "Previous year"),
    "entity": ("对象", "Entity"),
    "agency_type": ("机关类型", "Agency type"),
    "city_level": ("（市级机关）", "(city level)"),
    "nothing_to_pick": ("无可选对象", "Nothing to pick"),
    "pick_entities_hint": ("请在上方选择至少一个对象。", "Pick at least one entity above."),
    # 对比 by district: what is not offered, and why (the 选择对象 box's help)
    "compare_not_offered": (
        "只列出区县。以下机关不属于任何区县，不在可选之列（共 {n} 个）：{names}。如需对比，请改按机关对比。",
        "Districts only. Not offered, in no district ({n}): {names}. Compare them by agency.",
    ),
    "compare_no_districts": (
        "所选范围内的报告都来自市级机关，没有区县可对比：请改按机关对比。",
        "Every report in this selection is a city-level agency's: there is no district to compare. Compare agencies.",
    ),
    # --- words the warehouse stores as codes, as the UI names them ---------------------------------------
    "status_ok": ("通过", "passed"),
    "status_warnings": ("有警告", "warnings"),
    "status_errors": ("有错误", "errors"),
    "fmt_html": ("网页", "web page"),
    "fmt_txt": ("纯文本", "plain text"),
    "fmt_md": ("纯文本（Markdown）", "Markdown text"),
    "fmt_pdf": ("PDF 文档", "PDF"),
    "fmt_docx": ("Word 文档（docx）", "Word (docx)"),
    "fmt_doc": ("Word 文档（doc）", "Word (doc)"),
    "fmt_ocr": ("扫描件（文字识别）", "scan (OCR)"),
    "fmt_synthetic": ("合成（演示数据）", "synthetic (demo)"),
    "report_no_original_synthetic": ("合成演示数据，没有原始文件", "synthetic demo data: there is no original file"),
    "basis_n": ("口径{b}", "basis {b}"),
    "check": ("检查", "Check"),
    "template_version": ("{v} 年版", "{v} edition"),
    "template_nonstandard": ("非标准格式", "nonstandard"),
    "dataset_demo": ("演示数据（合成）", "Demo data (synthetic)"),
    "dataset_sample": ("样例报告", "Sample reports"),
    "dataset_user": ("上传的报告", "Uploaded reports"),
    "import_dataset_help": (
        "报告导入到这个数据集（侧栏可按数据集筛选）。留空即导入到“{default}”；填写名称（字母、数字、-、_）可另建数据集。",
        "The dataset the reports go to (the sidebar filters by dataset). Empty: “{default}”; a name (letters, "
        "digits, -, _) makes another.",
    ),
    "import_into": (
        "导入到：{label}。命令行导入同一数据集：`xxgk ingest 文件或文件夹 --dataset {ds}`",
        "Imported into: {label}. The same from the command line: `xxgk ingest FILES --dataset {ds}`",
    ),
    "severity": ("严重程度", "Severity"),
    "message": ("说明", "Message"),
    # --- the checks page (校验规则) --------------------------------------------------------------------------
    "chk_intro": (
        "每份报告都按以下规则检查。运算项为空（空白、横线、提取时丢失）时记为“不可评估”，不算未通过。",
        "Every rule a report is checked against. When a figure a rule needs is blank (left empty, a dash, or lost "
        "in extraction), the rule is recorded as not assessable for that report, never as failed.",
    ),
    "map_no_reports": (
        "{name}没有所选数据集的报告：筛选条件未改变。",
        "{name} has no reports in the chosen datasets: the filters are unchanged.",
    ),
    "chk_code": ("编号", "Code"),
    "chk_scope": ("范围", "Scope"),
    "chk_formula": ("公式", "Formula"),
    "chk_tolerance": ("容差", "Tolerance"),
    "chk_not_assessable": ("不可评估", "Not assessable"),
    "scope_report": ("单份报告", "one report"),
    "scope_cross-year": ("跨年度", "across years"),
    "scope_corpus": ("全库", "whole warehouse"),
    "export_csv": ("导出 CSV", "Export CSV"),
    # --- the data-quality page (数据质量) ------------------------------------------------------------------
    "q_intro": (
        "每格为该机关该年度报告未通过的检查数（✓ = 全部通过，— = 无报告）。点击某年度的单元格，在本页打开该报告。",
        "Each cell counts the report's failing checks (✓ = all passed, — = no report). "
        "Click a year's cell to open that report here.",
    ),
    "q_scope": (
        "侧栏的数据集、地区、机关、年度、格式版本筛选均适用于本页；公开率口径与最小样本量不适用（本页不计算比率）。",
        (
            "The sidebar's dataset, region, agency, year and template filters apply here; the rate basis and "
            "minimum cases do not (this page computes no rates)."
        ),
    ),
    "q_list": ("校验发现清单", "Findings"),
    "q_open": ("待处理", "Pending"),  # beside the 打开 ("Open") link column: not a second "Open"
    "q_corrected": ("已人工更正", "Corrected by hand"),
    "q_matrix": ("矩阵", "Matrix"),
    "q_checks_help": ("留空 = 全部检查", "Empty = every check"),
    "q_sort_name": ("机关名称", "Agency name"),
    "q_sort_fail": ("未通过数（多→少）", "Failing checks (most first)"),
    "q_sort_region": ("地区", "Region"),
    "q_total": ("未通过合计（{years}）", "Failing, sum {years}"),
    "q_by_check": ("各检查未通过的报告数", "Reports failing each check"),
    "q_empty": ("没有报告。", "No reports."),
    "q_sev_error": ("错误", "Error"),
    "q_sev_warning": ("警告", "Warning"),
    "q_sev_info": ("提示（不可评估等）", "Info (not assessable…)"),
    "q_moved": ("重新读取后变动的数值", "Values moved by a new reading"),
    "q_moved_intro": (
        "同一文件经新版提取程序重新读取，或同一机关同一年度换成新版本文件后，数值发生变化的单元格（最新在前）。点击查看报告。",
        "Cells whose value changed when a file was read again by a newer extractor, or replaced by a new edition "
        "for the same agency and year (newest first). Click to open the report.",
    ),
    "q_moved_none": (
        "所选报告没有数值因重新读取或替换而变动。",
        "No value of the selected reports was moved by a new reading.",
    ),
    "q_moved_more": ("共 {n} 处，显示最新的 {k} 处。", "{n} in all; the newest {k} shown."),
    # --- hand corrections waiting for review (the quality page) ------------------------------------------
    "rv_title": ("需复核的人工更正（{n}）", "Corrections to review ({n})"),
    "rv_note": (
        (
            "以下人工更正是在报告的旧版本上做的；新版本在该单元格提取到的数值不同，更正暂未应用。"
            "请核对后用 `xxgk correct --apply 编号` 应用，或 `xxgk correct --undo 编号` 撤销。"
        ),
        (
            "These hand corrections were made on an earlier edition of the report; its new edition reads another "
            "value in that cell, so they are not applied. Check them, then `xxgk correct --apply ID` or "
            "`xxgk correct --undo ID`."
        ),
    ),
    "rv_cell": ("单元格", "Cell"),
    "rv_edition_value": ("新版本提取值", "New edition reads"),
    "rv_new_value": ("更正值", "Corrected to"),
    "rv_reason": ("原因", "Reason"),
    "rv_author": ("更正人", "By"),
    "rv_open": ("查看", "Open"),
    # --- the report page ---------------------------------------------------------------------------------
    "report_region": ("地区", "Region"),
    "report_format": ("文件格式", "File format"),
    "report_id": ("报告编号", "Report ID"),
    "report_id_help": (
        "报告文件内容的 SHA-256 值：同一文件再次导入编号不变。",
        "SHA-256 of the file: the same file always has this ID.",
    ),
    "report_fees": ("信息处理费", "Information processing fees"),
    "report_fees_value": ("本节所述收取信息处理费 {v} 元。", "This section states {v} yuan of fees collected."),
    "report_fees_none": ("本节未提及收取信息处理费的金额。", "This section states no amount of fees collected."),
    "report_history": ("数值变更记录（{n} 处）", "Value history ({n} [[cell|cells]])"),
    "report_history_help": (
        "本报告被重新读取（提取程序升级）或被同一机关同一年度的新版本文件替换时，变动的单元格：原值与新值。",
        "The cells that moved when this report was read again (an extractor upgrade) or replaced by a new "
        "edition for the same agency and year: the value before and after.",
    ),
    "report_whole": ("涉及整份报告的校验发现", "Findings on the report as a whole"),
    "report_table_findings": ("本表校验发现", "Findings on this table"),
    "report_source_text": ("报告原文（本节）", "The report's text (this section)"),
    "report_no_section_text": ("原文中未找到本节。", "This section was not found in the report's text."),
    "report_no_text": (
        "该报告未保存原文（如按规模模式直接生成的数据）。",
        "The report's text was not kept (e.g. data made in scale mode).",
    ),
    "report_original": ("下载原始文件", "Download the original file"),
    "report_original_missing": (
        "原始文件已不在导入时的位置，无法提供下载。",
        "The original file is no longer where it was loaded from: not available.",
    ),
    "report_original_changed": (
        "原始文件在导入后已被修改，为免误导不提供下载。",
        "The original file has changed since it was loaded: not offered.",
    ),
    "report_synthetic": (
        "合成数据：文件为演示用途生成，数字不代表任何真实机关。",
        "Synthetic: a file made for the demo; the figures describe no real agency.",
    ),
}


# Why a file failed, in the UI's language: the readers' and the parser's one-line reasons (English, as the CLI
# prints them) by their opening words → what the Chinese UI says. First match wins; unknown reasons get a
# general sentence in the Chinese UI (the English UI shows the reason itself).
FAILURE_REASONS: list[tuple[str, str]] = [
    (r"not an annual report", "不是政府信息公开工作年度报告（未找到表三或第三、四部分）"),
    (r"empty file", "空文件"),
    (r"a ZIP archive that is not a Word", "压缩包，但不是 Word（docx）文档"),
    (r"corrupt DOCX|not a Word document", "Word（docx）文件已损坏或不是 Word 文档"),
    (r"DOCX refused", "Word 文件解压后超过上限，已拒绝（疑似压缩炸弹）"),
    (r"not a PDF", "不是 PDF 文件"),
    (r"truncated or corrupt PDF|corrupt PDF", "PDF 文件不完整或已损坏"),
    (r"encrypted PDF", "PDF 已加密，需要密码"),
    (r"scanned PDF without text layer", "扫描版 PDF 没有文字层，且本机没有文字识别引擎"),
    (r"(image|PDF) has \d+ pages, more than", "页数超过上限"),
    (r"image refused", "图片像素过多，已拒绝（疑似解压炸弹）"),
    (r"not a readable image", "无法识别的图片"),
    (r"OCR timed out|tesseract failed", "文字识别失败或超时"),
    (r".*timed out|time limit", "处理超时，已终止"),
    (r"LibreOffice|soffice", "无法转换该文件（LibreOffice）"),
    (r"too large", "文件过大，无法读取"),
    (r"structure nested too deeply|HTML too deeply nested", "文件结构嵌套过深，无法读取"),
    (r"a table has more than", "表格单元格过多，无法读取"),
    (r"starts with a .* byte-order mark", "文件的编码标记与内容不符"),
    (r"no reader for|reader needs a missing package|reader returned no document", "本机无法读取此格式"),
    (r"cannot read", "无法读取该文件"),
]
_FAILURE_RES = None


def failure_label(detail: str | None, lang: str = "zh") -> str:
    """A failed file's reason as the import page shows it (``detail`` is "PATH: reason" or the reason)."""
    global _FAILURE_RES
    if not detail:
        return ""
    if lang == "en":
        return detail
    if _FAILURE_RES is None:
        _FAILURE_RES = [(re.compile(p), zh) for p, zh in FAILURE_REASONS]
    for part in (detail, detail.split(": ", 1)[-1]):
        for rx, zh in _FAILURE_RES:
            if rx.match(part):
                return zh
    if re.search(r"[\u3400-\u9fff]", detail) and not re.search(r"[A-Za-z]{3,}", detail):
        return detail  # already Chinese (the page's own refusals)
    return "未能处理该文件（原因见英文界面或命令行输出）"


# English count phrases: "[[one|many]]" picks its form by the string's count ({n}, else {max}); Chinese has none
_PLURAL = re.compile(r"\[\[([^|\]]*)\|([^\]]*)\]\]")


def is_one(n: object) -> bool:
    """Whether a count (a number, or numfmt's text of one: "1", "1,000") is exactly one."""
    try:
        return float(str(n).replace(",", "").strip()) == 1
    except ValueError:
        return False


def plural(s: str, n: object) -> str:
    """``s`` with each "[[one|many]]" resolved for the count ``n``."""
    one = is_one(n)
    return _PLURAL.sub(lambda m: m.group(1) if one else m.group(2), s)


def t(key: str, lang: str = "zh", **fmt) -> str:
    zh, en = S[key]
    s = en if lang == "en" else zh
    if "[[" in s:
        s = plural(s, fmt.get("n", fmt.get("max")))
    return s.format(**fmt) if fmt else s


def heading(s: str, lang: str = "zh") -> str:
    """A column header as every table prints it: in English, capitalised (the strings are shared with cells
    and sentences, where "low n", "upheld" stay lower case)."""
    return s[:1].upper() + s[1:] if lang == "en" and s[:1].islower() else s


def cell(s: str, lang: str = "zh") -> str:
    """A label standing on its own (a table cell, a status, a legend entry) as the UI prints it: in English,
    capitalised like a header ("Passed", "Low n", "Upheld"); the same string inside a sentence stays lower case."""
    return heading(s, lang)


def status_label(status: str | None, lang: str = "zh") -> str:
    """A report's status (ok | warnings | errors) as the UI names it."""
    key = f"status_{status}"
    return t(key, lang) if key in S else (status or "—")


def format_label(fmt: str | None, lang: str = "zh") -> str:
    """A report's file format (html, pdf, docx …) as the UI names it."""
    key = f"fmt_{fmt}"
    return t(key, lang) if key in S else (fmt or "—").upper()


def template_label(version: str | None, lang: str = "zh") -> str:
    """A template version ('2019', '2021', 'nonstandard') as the UI names it."""
    if not version:
        return "—"
    if version == "nonstandard":
        return t("template_nonstandard", lang)
    return t("template_version", lang, v=version)


def dataset_label(name: str | None, lang: str = "zh") -> str:
    """A dataset's name: the shipped ones ('demo', 'sample') in the UI's language, a user's as they named it."""
    key = f"dataset_{name}"
    return t(key, lang) if key in S else (name or "—")
