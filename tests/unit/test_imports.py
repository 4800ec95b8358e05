"""The 导入 page's server-side guards: folder ingest off without an allowed root, confined to it with
symlinks and .. resolved; upload names reduced to safe basenames."""

from __future__ import annotations

import os

import pytest

from pipelines import settings
from pipelines.imports import Refused, files_within, resolve_folder, safe_name, within
from pipelines.warehouse.ingest import walk


@pytest.fixture()
def tree(tmp_path):
    root = tmp_path / "allowed"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "r.txt").write_text("x")
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd.txt").write_text("s")
    os.symlink(secret, root / "a" / "escape")  # a folder link leading outside
    os.symlink(secret / "passwd.txt", root / "a" / "leak.txt")  # a file link leading outside
    return root, secret


def test_folder_ingest_off_without_a_root():
    with pytest.raises(Refused) as e:
        resolve_folder("/tmp", None)
    assert e.value.kind == "off"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("/etc", "outside"),
        ("../secret", "outside"),
        ("a/../../secret", "outside"),
        ("a/escape", "outside"),  # the link is inside, its target is not
        ("a/r.txt", "not_dir"),
        ("nothing", "not_dir"),
        ("  ", "empty"),
    ],
)
def test_paths_outside_the_root_are_refused(tree, text, kind):
    root, _ = tree
    with pytest.raises(Refused) as e:
        resolve_folder(text, root)
    assert e.value.kind == kind


def test_folders_inside_the_root(tree):
    root, _ = tree
    assert resolve_folder("a", root) == root / "a"
    assert resolve_folder(str(root / "a" / "b" / ".."), root) == root / "a"
    assert resolve_folder(str(root), root) == root


def test_links_inside_the_folder_that_lead_outside_are_refused_file_by_file(tree):
    root, secret = tree
    ok, refused = files_within(list(walk([resolve_folder("a", root)])), root)
    assert sorted(os.path.basename(p) for p, _ in ok) == ["r.txt"]
    assert sorted(os.path.relpath(p, root) for p in refused) == ["a/escape/passwd.txt", "a/leak.txt"]
    assert not within(secret / "passwd.txt", root)


def test_import_root_setting(tree, monkeypatch):
    root, _ = tree
    monkeypatch.delenv("XXGK_IMPORT_ROOT", raising=False)
    assert settings.import_root() is None
    monkeypatch.setenv("XXGK_IMPORT_ROOT", str(root / "a" / ".."))
    assert settings.import_root() == root
    monkeypatch.setenv("XXGK_IMPORT_ROOT", str(root / "missing"))
    assert settings.import_root() is None, "a root that is not a folder turns folder ingest off"


@pytest.mark.parametrize(
    "name, safe",
    [
        ("../../etc/passwd", "passwd.bin"),
        ("C:\\Users\\x\\年报 2023.pdf", "年报_2023.pdf"),
        ("scan.TIFF", "scan.TIFF"),
        (".bashrc", "bashrc.bin"),
        ("", "upload.bin"),
    ],
)
def test_safe_name(name, safe):
    assert safe_name(name) == safe
