"""Browser tests' shared fixtures: one warehouse, one server started exactly as `make run` starts it, one
Chromium for every e2e test module (starting them costs more than most tests).

Every e2e module carries ``E2E`` (below): one xdist group (pyproject: ``--dist loadgroup``), so one worker
starts the one server and the one Chromium and runs the browser tests in turn while the other worker takes
the rest of the suite. Two workers each with a server and a browser of their own made both wait on the
2 cores and paid the server's warm-up twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from pipelines import settings

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
SAMPLES = ROOT / "data" / "samples"
E2E = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    from pipelines import read
    from pipelines.demo.direct import build_direct
    from pipelines.warehouse.ingest import ingest

    p = tmp_path_factory.mktemp("e2e") / "xxgk.duckdb"
    build_direct(p, 300, seed=0)  # synthetic (dataset demo) …
    con = duckdb.connect(str(p))
    read.build_dash(con)
    con.execute("CHECKPOINT")
    con.close()
    ingest([SAMPLES], db=p, dataset="sample", progress=False)  # … and the real report xxgk ships
    return p


@pytest.fixture(scope="session")
def import_root(tmp_path_factory) -> Path:
    """The one server folder the 导入 page may read (XXGK_IMPORT_ROOT), with a link leading outside it."""
    root = tmp_path_factory.mktemp("allowed")
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("not for dashboard users")
    os.symlink(outside, root / "escape")
    return root


@pytest.fixture(scope="session")
def server(warehouse, import_root):
    if not settings.chromium().exists():
        pytest.skip(f"{settings.chromium()} is missing: install Debian's chromium to run the browser test")
    port = _free_port()
    env = dict(
        os.environ,
        XXGK_DB=str(warehouse),
        XXGK_UPLOADS=str(warehouse.parent / "uploads"),
        XXGK_IMPORT_ROOT=str(import_root),
    )
    # The server exactly as `make run` starts it (the warehouse exists, so it serves at once).
    venv = Path(sys.executable).parent.parent
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"DB={warehouse}", f"PORT={port}", f"VENV={venv}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("make run did not start the server: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    os.killpg(proc.pid, signal.SIGTERM)  # make and the streamlit it started
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        pass
    try:  # make may be gone while its streamlit still serves: end the whole group
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(settings.chromium()), args=list(settings.CHROMIUM_ARGS))
        yield b
        b.close()


def settle(page, timeout: float = 30.0) -> None:
    """Wait until the app stopped running (no status widget 'Running…'), has content and every element is
    drawn (no skeleton placeholder left: a data grid mounts after the run ends)."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=timeout * 1000)
    busy = '[data-testid="stStatusWidget"], [data-testid="stSkeleton"]'
    t0 = time.time()
    while time.time() - t0 < timeout:
        if page.locator(busy).count() == 0:
            time.sleep(0.25)
            if page.locator(busy).count() == 0:
                return
        time.sleep(0.2)


def no_exception(page, where: str) -> None:
    n = page.locator('[data-testid="stException"]').count()
    assert n == 0, f"{where}: {page.locator('[data-testid=stException]').first.inner_text()}"


def tables(page):
    """The page's tables (app_pages._htmltable: HTML in a component's shadow root, which locators pierce)."""
    return page.locator('[data-testid^="stBidiComponent"]').filter(has=page.locator("table"))


def headers(table) -> list[str]:
    """A table's column headers."""
    return table.locator("th").all_inner_texts()


def cells(table, row: int) -> list[str]:
    """The texts of a table's data row (0 = first data row); [] past the last."""
    rows = table.locator("tbody tr")
    return rows.nth(row).locator("td").all_inner_texts() if rows.count() > row else []


def click_cell(page, table, row: int, header: str = "打开") -> None:
    """Click the link in column ``header`` of a data row (0 = first), as a user does; the column is found by its
    header's text, and only the drill-down column carries the 打开 help on its header."""
    from pipelines import i18n

    table.scroll_into_view_if_needed()
    cols = headers(table)
    j = cols.index(header)
    assert table.locator("th").nth(j).get_attribute("title") == i18n.t("open_help", "zh")
    table.locator("tbody tr").nth(row).locator("td").nth(j).locator("a").click()
