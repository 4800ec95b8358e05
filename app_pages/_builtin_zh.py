"""Streamlit's own English words in the Chinese UI ("Choose an option", "Drag and drop files here",
"Browse files", the data grid's and chart's menus …), put into Chinese.

Streamlit has no locale setting, and parameters exist only for some of these words (``placeholder=`` on
selectbox / multiselect, which the pages pass). For the rest, a ``st.components.v2`` component (a
documented API whose JavaScript runs in the app's page, no iframe) watches the page and replaces the
text of an element, or its ``placeholder`` / ``title`` / ``aria-label``, when it is *exactly* one of the
strings below. It depends on no DOM structure or class name, only on Streamlit's words: after an upgrade
a changed word simply stays English, and tests/e2e/test_pages_zh.py (every page, zh) fails on it.
In the English UI the component puts the original words back and does nothing else.
"""

from __future__ import annotations

import streamlit as st

# Streamlit's words (as of 1.67) → Chinese. Exact, whole-text matches.
ZH: dict[str, str] = {
    "Choose an option": "请选择",
    "Choose options": "请选择（可多选）",
    "No results": "没有匹配项",
    "Clear all": "全部清除",
    "Clear value": "清除",
    "Drag and drop file here": "将文件拖放到此处",
    "Drag and drop files here": "将文件拖放到此处",
    "Drag and drop a file here": "将文件拖放到此处",
    "Browse files": "选择文件",
    "Upload": "上传",
    "Add files": "添加文件",
    "Upload failed": "上传失败",
    "Remove file": "移除文件",
    "Running...": "正在运行…",
    "Stop": "停止",
    "Rerun": "重新运行",
    "Settings": "设置",
    "Print": "打印",
    "Record a screencast": "录制屏幕",
    "About": "关于",
    "Clear caches": "清除缓存",
    "Clear cache": "清除缓存",
    "Developer options": "开发者选项",
    "Main menu": "主菜单",
    "Page not found": "页面不存在",
    "The page that you have requested does not seem to exist. Running the app's main page.": (
        "所请求的页面不存在，已打开首页。"
    ),
    "Connecting": "正在连接",
    "Skip to main content": "跳到主要内容",
    "Download as CSV": "下载表格数据（CSV）",  # not "下载 CSV": that is the pages' own export button
    "Search": "搜索",
    "Close Search": "关闭搜索",
    "Fullscreen": "全屏",
    "Close fullscreen": "退出全屏",
    "Show/hide columns": "显示/隐藏列",
    "Sort ascending": "升序排列",
    "Sort descending": "降序排列",
    "Format": "格式",
    "Autosize": "自动列宽",
    "Pin column": "固定列",
    "Unpin column": "取消固定",
    "Hide column": "隐藏列",
    "Copy column name": "复制列名",
    "Clear selection": "清除选择",
    "Automatic": "自动",
    "Localized": "本地格式",
    "Plain": "普通",
    "Compact": "紧凑",
    "Percent": "百分比",
    "Scientific": "科学计数",
    "Engineering": "工程计数",
    "Save as SVG": "保存为 SVG",
    "Save as PNG": "保存为 PNG",
    "View Source": "查看源代码",
    "View Compiled Vega": "查看编译后的 Vega",
    "Open in Vega Editor": "在 Vega 编辑器中打开",
    "Copy to clipboard": "复制到剪贴板",
    "Copied to clipboard": "已复制到剪贴板",
    "Press Enter to apply": "按回车键应用",
    "Press Enter to submit form": "按回车键提交",
}
# Words with a number or a list inside: (JavaScript regular expression, replacement).
ZH_PATTERNS: list[tuple[str, str]] = [
    (r"^(\d+(?:\.\d+)?\s?[KMG]?B) per file$", "单个文件不超过 $1"),
    (r"^Limit (\d+(?:\.\d+)?\s?[KMG]?B) per file$", "单个文件不超过 $1"),
    (r"^Remove (.+)$", "移除 $1"),
]

_JS = r"""
export default function (component) {
  const { data } = component;
  const w = window;
  const S = (w.__xxgkZh = w.__xxgkZh || { texts: new Map(), observer: null, on: false });
  S.dict = data.dict;
  S.patterns = data.patterns.map(([re, to]) => [new RegExp(re), to]);
  const ATTRS = ["placeholder", "title", "aria-label"];

  function zh(s) {
    const t = s.trim();
    if (!t) return null;
    if (Object.prototype.hasOwnProperty.call(S.dict, t)) return s.replace(t, S.dict[t]);
    for (const [re, to] of S.patterns) if (re.test(t)) return s.replace(t, t.replace(re, to));
    return null;
  }
  function text(node) {
    const v = node.nodeValue;
    const out = v && zh(v);
    if (out !== null && out !== v) { S.texts.set(node, v); node.nodeValue = out; }
  }
  function attrs(el) {
    for (const a of ATTRS) {
      const v = el.getAttribute && el.getAttribute(a);
      const out = v && zh(v);
      if (out !== null && out !== v) { el.dataset["xxgkOrig_" + a.replace("-", "_")] = v; el.setAttribute(a, out); }
    }
  }
  // A chart's SVG (thousands of marks, every word in it ours) holds none of Streamlit's words: not walked.
  const ours = (n) => n instanceof SVGElement || (n.parentNode instanceof SVGElement);
  const skipSvg = { acceptNode: (n) => (n instanceof SVGElement ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT) };
  function walk(root) {
    if (ours(root)) return;
    if (root.nodeType === 3) return text(root);
    if (root.nodeType !== 1) return;
    attrs(root);
    const it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT, skipSvg);
    for (let n = it.nextNode(); n; n = it.nextNode()) (n.nodeType === 3 ? text(n) : attrs(n));
  }
  function restore() {
    for (const [node, v] of S.texts) if (node.isConnected) node.nodeValue = v;
    S.texts.clear();
    for (const a of ATTRS) {
      const key = "xxgkOrig_" + a.replace("-", "_");
      document.querySelectorAll("[data-xxgk-orig_" + a.replace("-", "_") + "]").forEach((el) => {
        el.setAttribute(a, el.dataset[key]); delete el.dataset[key];
      });
    }
  }
  if (data.lang === "zh" && !S.on) {
    S.on = true;
    S.observer = new MutationObserver((ms) => {
      for (const m of ms) {
        if (ours(m.target)) continue;
        if (m.type === "characterData") text(m.target);
        else if (m.type === "attributes") attrs(m.target);
        else m.addedNodes.forEach(walk);
      }
    });
    S.observer.observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS,
    });
    walk(document.body);
  } else if (data.lang !== "zh" && S.on) {
    S.on = false;
    S.observer.disconnect();
    restore();
  }
}
"""

_component = None


def mount(lang: str) -> None:
    """Mount the translator once per page run (invisible); ``lang`` 'zh' turns it on, 'en' off."""
    global _component
    if _component is None:
        _component = st.components.v2.component("xxgk_builtin_zh", js=_JS, isolate_styles=False)
    # the component draws nothing: its container is hidden (st.html with only a style takes no room)
    st.html("<style>.st-key-xxgk_builtin_zh { display: none; }</style>")
    with st.container(key="xxgk_builtin_zh"):
        _component(key="xxgk_builtin_zh_c", data={"lang": lang, "dict": ZH, "patterns": ZH_PATTERNS}, height=0)
