"""`xxgk extract` refuses anything that is not a regular file at once (a FIFO used to be read forever),
and a file over the size limit without reading it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipelines.document import ReadError
from pipelines.extract import extract_file
from pipelines.readers import read_path_bytes

XXGK = [sys.executable, "-m", "pipelines.cli"]


def _extract(path) -> subprocess.CompletedProcess:
    # A regression would block on the FIFO forever: the timeout only keeps the suite from hanging.
    return subprocess.run([*XXGK, "extract", str(path), "--json"], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_refused_by_cli(tmp_path):
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    r = _extract(fifo)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == f"xxgk extract: {fifo}: cannot read: a FIFO (named pipe), not a regular file\n"


def test_directory_and_device_refused(tmp_path):
    with pytest.raises(ReadError, match=r": cannot read: a directory, not a regular file$"):
        extract_file(tmp_path)
    with pytest.raises(ReadError, match=r"^/dev/zero: cannot read: a character device, not a regular file$"):
        extract_file("/dev/zero")
    with pytest.raises(ReadError, match=r"cannot read file: No such file or directory$"):
        extract_file(tmp_path / "missing.html")


def test_over_the_size_limit_refused_unread(tmp_path):
    big = tmp_path / "big.html"
    with open(big, "wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: 300 MB that are never read
    with pytest.raises(ReadError, match=r"big\.html: file is 300\.0 MB, over the 200\.0 MB limit$"):
        extract_file(big)
    small = tmp_path / "small.txt"
    small.write_bytes(b"x" * 100)
    with pytest.raises(ReadError, match=r"file is 100 bytes, over the 99 bytes limit$"):
        read_path_bytes(small, 99)
    assert read_path_bytes(small, 100) == b"x" * 100
