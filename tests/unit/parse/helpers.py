"""Building small Documents for parser tests."""

from __future__ import annotations

from pipelines.document import Cell, Document, Table, TextBlock, normalize_text

ROWS19 = [
    ("一、本年新收政府信息公开申请数量", "new_received"),
    ("二、上年结转政府信息公开申请数量", "carried_over"),
    ("(一)予以公开", "granted"),
    ("(二)部分公开(区分处理的,只计这一情形,不计其他情形)", "partial"),
    ("(三)不予公开 1.属于国家秘密", "denied_state_secret"),
    ("2.其他法律行政法规禁止公开", "denied_law_forbidden"),
    ("3.危及“三安全一稳定”", "denied_three_safety"),
    ("4.保护第三方合法权益", "denied_third_party"),
    ("5.属于三类内部事务信息", "denied_internal_affairs"),
    ("6.属于四类过程性信息", "denied_process_info"),
    ("7.属于行政执法案卷", "denied_enforcement_file"),
    ("8.属于行政查询事项", "denied_admin_query"),
    ("(四)无法提供 1.本机关不掌握相关政府信息", "unable_not_held"),
    ("2.没有现成信息需要另行制作", "unable_need_create"),
    ("3.补正后申请内容仍不明确", "unable_unclear"),
    ("(五)不予处理 1.信访举报投诉类申请", "rejected_petition"),
    ("2.重复申请", "rejected_duplicate"),
    ("3.要求提供公开出版物", "rejected_publication"),
    ("4.无正当理由大量反复申请", "rejected_excessive"),
    ("5.要求行政机关确认或重新出具已获取信息", "rejected_confirm"),
    ("(六)其他处理", "other"),
    ("(七)总计", "total_handled"),
    ("四、结转下年度继续办理", "carried_forward"),
]
OTHER21 = [
    ("(六)其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_overdue_correction"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_overdue_fee"),
    ("3.其他", "other_misc"),
]


def rows(version: str) -> list[tuple[str, str]]:
    if version == "2019":
        return list(ROWS19)
    i = [k for _, k in ROWS19].index("other")
    return ROWS19[:i] + OTHER21 + ROWS19[i + 1 :]


def consistent_values(version: str) -> dict[str, list[int]]:
    """A table 3 whose every identity holds: 3 natural persons + 1 商业企业 applications."""
    keys = [k for _, k in rows(version)]
    v = {k: [0] * 7 for k in keys}
    v["new_received"] = [12, 1, 0, 0, 0, 0, 13]
    v["carried_over"] = [2, 0, 0, 0, 0, 0, 2]
    v["granted"] = [10, 1, 0, 0, 0, 0, 11]
    v["unable_not_held"] = [2, 0, 0, 0, 0, 0, 2]
    v["total_handled"] = [12, 1, 0, 0, 0, 0, 13]
    v["carried_forward"] = [2, 0, 0, 0, 0, 0, 2]
    return v


HEAD = ["某某区商务局2022年政府信息公开工作年度报告", "一、总体情况", "本年度工作概述。", "二、主动公开政府信息情况"]
T2_2021 = [
    "第二十条第(一)项",
    "信息内容 本年制发件数 本年废止件数 现行有效件数",
    "规章 0 0 0",
    "行政规范性文件 2 1 14",
    "第二十条第(五)项",
    "信息内容 本年处理决定数量",
    "行政许可 120",
    "第二十条第(六)项",
    "信息内容 本年处理决定数量",
    "行政处罚 33",
    "行政强制 0",
    "第二十条第(八)项",
    "信息内容 本年收费金额(单位:万元)",
    "行政事业性收费 251000元",
]
T3_HEAD = [
    "三、收到和处理政府信息公开申请情况",
    "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和) 申请人情况",
    "自然人 法人或其他组织 总计",
    "商业企业 科研机构 社会公益组织 法律服务机构 其他",
]
T4 = [
    "四、政府信息公开行政复议、行政诉讼情况",
    "行政复议 行政诉讼",
    "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉",
    "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计",
    "1 1 0 0 2 1 0 0 0 1 2 0 1 0 3",
]
TAIL = ["五、存在的主要问题及改进情况", "问题与改进。", "六、其他需要报告的事项", "本年度收取信息处理费0元。"]


def text_doc(lines: list[str], source: str = "t.txt") -> Document:
    return Document(source=source, format="txt", blocks=[TextBlock(normalize_text(l)) for l in lines])


def report_lines(
    version: str = "2021", values: dict | None = None, t3_lines: list[str] | None = None, t4: list[str] | None = None
) -> list[str]:
    values = values or consistent_values(version)
    if t3_lines is None:
        t3_lines = [f"{label} " + " ".join(str(x) for x in values[k]) for label, k in rows(version)]
    return HEAD + T2_2021 + T3_HEAD + t3_lines + (T4 if t4 is None else t4) + TAIL


def grid_doc(version: str, cells_by_row: dict[str, list[str]]) -> Document:
    """Table 3 as an HTML-like grid: a label cell then value cells as given."""
    blocks = [TextBlock(l) for l in HEAD + T2_2021 + T3_HEAD[:1]]
    grid = [[Cell(h) for h in ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]]]
    for label, k in rows(version):
        grid.append([Cell(label)] + [Cell(c) for c in cells_by_row[k]])
    blocks.append(Table(grid))
    blocks += [TextBlock(l) for l in T4 + TAIL]
    return Document(source="g.html", format="html", blocks=blocks)
