"""Entity resolution with the real agency names of ../shared/real-reports and renames across years."""

from __future__ import annotations

import pytest

from pipelines.entities import resolve
from pipelines.entities.regions import table


def test_region_table_from_cpca():
    t = table()
    assert t.get("320813000000").name == "洪泽区"
    assert [r.code for r in t.by_name["西工区"]] == ["410303000000"]  # unique in China
    assert len(t.by_name["鼓楼区"]) == 4  # 福州, 开封, 徐州, 南京


def test_hongze_with_and_without_city_prefix_is_one_agency():
    a = resolve("洪泽区人民政府", None)
    b = resolve("淮安市洪泽区人民政府", {"province": "江苏省", "city": "淮安市", "county": "洪泽区"})
    assert a.agency_id == b.agency_id == "320813-人民政府"
    assert (a.province, a.city, a.county, a.region_code) == ("江苏省", "淮安市", "洪泽区", "320813000000")
    assert (a.agency_type, a.status, a.name, a.level) == ("government", "resolved", "洪泽区人民政府", "county")


def test_city_government():
    e = resolve("淮安市人民政府", None)
    assert (e.agency_id, e.agency_type, e.level, e.province, e.city, e.county) == (
        "320800-人民政府",
        "government",
        "city",
        "江苏省",
        "淮安市",
        None,
    )


def test_ocr_garbled_county_is_corrected_and_noted():
    e = resolve("沐阳县人民政府", None)
    assert (e.county, e.city, e.province, e.status) == ("沭阳县", "宿迁市", "江苏省", "resolved")
    assert e.agency_id == "321322-人民政府" and e.name == "沭阳县人民政府"
    assert "沐阳县" in e.note and "沭阳县" in e.note
    # the same agency spelled correctly gets the same id; its neighbour 泗阳县 does not
    assert resolve("沭阳县人民政府", None).agency_id == e.agency_id
    assert resolve("泗阳县人民政府", None).agency_id == "321323-人民政府"


def test_shanghai_office_is_a_provincial_department():
    e = resolve("上海市人民政府办公厅", None)
    assert (e.province, e.city, e.county, e.region_code) == ("上海市", None, None, "310000000000")
    assert (e.agency_type, e.level, e.agency_id) == ("department", "province", "310000-人民政府办公厅")
    d = resolve("上海市黄浦区人民政府", None)
    assert (d.province, d.city, d.county) == ("上海市", "上海市", "黄浦区")


@pytest.mark.parametrize(
    "name,type_,agency_id",
    [
        ("平潭综合实验区", "government", "350128-人民政府"),
        ("平潭综合实验区管委会", "government", "350128-人民政府"),
        ("平潭综合实验区公安局", "department", "350128-公安局"),
        ("平潭综合实验区财政金融局", "department", "350128-财政金融局"),
    ],
)
def test_pingtan_zone(name, type_, agency_id):
    e = resolve(name, None)
    assert (e.agency_type, e.agency_id, e.status) == (type_, agency_id, "resolved")
    assert (e.province, e.city, e.county) == ("福建省", "福州市", "平潭县")
    assert e.name.startswith("平潭综合实验区")


def test_xigong_commerce_bureau():
    e = resolve("西工区商务局", {"province": None, "city": None, "county": None})
    assert (e.province, e.city, e.county, e.agency_type, e.agency_id) == (
        "河南省",
        "洛阳市",
        "西工区",
        "department",
        "410303-商务局",
    )


def test_ambiguous_district_needs_region_or_text():
    e = resolve("鼓楼区商务局", None)
    assert e.status == "ambiguous" and e.agency_id.startswith("ambiguous-")
    assert "南京市" in e.note and "福州市" in e.note
    f = resolve("鼓楼区商务局", {"province": "福建省", "city": None, "county": None})
    assert (f.status, f.city, f.agency_id) == ("resolved", "福州市", "350102-商务局")
    g = resolve("鼓楼区商务局", None, text="为贯彻落实南京市政府信息公开工作要求，南京市鼓楼区…")
    assert (g.status, g.city, g.agency_id) == ("resolved", "南京市", "320106-商务局")


def test_unknown_is_kept_apart():
    e = resolve("商务局", None)
    assert e.status == "unknown" and e.agency_id == "unknown-商务局" and e.region_code is None
    assert resolve(None, None).status == "unknown"
    # a department name plus the region the parser found is enough
    r = resolve("商务局", {"province": "河南省", "city": "洛阳市", "county": "西工区"})
    assert (r.status, r.agency_id, r.name) == ("resolved", "410303-商务局", "西工区商务局")


@pytest.mark.parametrize(
    "old,new,canonical",
    [
        ("洪泽区国土资源局", "淮安市洪泽区自然资源和规划局", "自然资源和规划局"),
        ("洪泽区环境保护局", "洪泽区生态环境局", "生态环境局"),
        ("洪泽区安全生产监督管理局", "洪泽区应急管理局", "应急管理局"),
        ("洪泽区工商行政管理局", "洪泽区市场监督管理局", "市场监督管理局"),
        ("洪泽区食品药品监督管理局", "洪泽区市场监督管理局", "市场监督管理局"),
        ("洪泽区政府办", "洪泽区人民政府办公室", "人民政府办公室"),
        ("洪泽区卫生和计划生育委员会", "洪泽区卫生健康委员会", "卫生健康委员会"),
    ],
)
def test_renames_across_years_keep_one_id(old, new, canonical):
    a, b = resolve(old, None), resolve(new, None)
    assert a.agency_id == b.agency_id == f"320813-{canonical}"
    assert a.agency_type == "department"


def test_zone_committee_only_governs_a_listed_zone():
    # a development-zone committee inside a county is not the county's government
    e = resolve("洪泽区经济开发区管委会", None)
    assert e.agency_id == "320813-经济开发区管委会" and e.agency_id != resolve("洪泽区人民政府").agency_id


def test_subdistrict():
    e = resolve("洪泽区高良涧街道办事处", None)
    assert (e.agency_type, e.level, e.county) == ("subdistrict", "subdistrict", "洪泽区")
    assert resolve("洪泽区高良涧街道", None).agency_id == e.agency_id == "320813-高良涧街道办事处"


def test_user_aliases_extend(tmp_path, monkeypatch):
    f = tmp_path / "aliases.yaml"
    f.write_text(
        "departments:\n  商务局:\n    - 商务和粮食局\nregions:\n  洪泽新城: {code: '320813', display: 洪泽区}\n",
        encoding="utf-8",
    )
    assert resolve("西工区商务和粮食局").agency_id == "410303-商务和粮食局"
    monkeypatch.setenv("XXGK_ALIASES", str(f))
    assert resolve("西工区商务和粮食局").agency_id == "410303-商务局"
    assert resolve("洪泽新城财政局").agency_id == "320813-财政局"
    # the shipped aliases still apply
    assert resolve("洪泽区环保局").agency_id == "320813-生态环境局"


def test_user_aliases_edit_is_seen(tmp_path, monkeypatch):
    """aliases() checks the user's file by os.stat on every call: an edit applies at once, and a file
    that goes away leaves the shipped aliases alone."""
    import os

    f = tmp_path / "aliases.yaml"
    f.write_text("departments:\n  商务局:\n    - 商务和粮食局\n", encoding="utf-8")
    monkeypatch.setenv("XXGK_ALIASES", str(f))
    assert resolve("西工区商务和粮食局").agency_id == "410303-商务局"
    f.write_text("departments:\n  粮食局:\n    - 商务和粮食局\n", encoding="utf-8")
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a later mtime, however coarse the clock
    assert resolve("西工区商务和粮食局").agency_id == "410303-粮食局"
    f.unlink()
    assert resolve("西工区商务和粮食局").agency_id == "410303-商务和粮食局"
    assert resolve("洪泽区环保局").agency_id == "320813-生态环境局"
