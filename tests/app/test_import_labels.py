"""The import page and the sidebar name datasets by their labels (issue 17, defect 7): no default "user"
typed in the box, the key only where a user types it and in the command-line hint."""

from __future__ import annotations

import pytest
from conftest import assert_ok, run_page

from pipelines import i18n


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_import_dataset_box_and_hint(db, lang):
    at = run_page("upload", lang=lang)
    assert_ok(at)
    box = at.text_input(key="imp_ds")
    assert box.value == ""  # nothing typed for the user
    label = i18n.dataset_label("user", lang)
    assert box.placeholder == label
    hint = [c.value for c in at.caption if "--dataset" in c.value]
    assert hint == [i18n.t("import_into", lang, label=label, ds="user")]
    # a name typed is used as typed, and named as such
    box.set_value("luoyang-2024").run()
    assert_ok(at)
    assert any("--dataset luoyang-2024" in c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sidebar_datasets_by_label(db, lang):
    at = run_page(lang=lang)
    assert_ok(at)
    ds = at.multiselect(key="ds")
    assert ds.options == [i18n.dataset_label("demo", lang)]
    assert "demo" not in ds.options
