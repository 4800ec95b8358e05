"""One module per `xxgk` command; each defines register(subparsers)."""

from __future__ import annotations

import argparse

from pipelines import settings

DB_HELP = "warehouse file (default: $XXGK_DB, else data/xxgk.duckdb)"


def add_db(p: argparse.ArgumentParser, help: str = DB_HELP) -> None:
    """The --db option every command shares; unset, it is settings.db_path() (XXGK_DB) when the command runs."""
    p.add_argument("--db", default=None, help=help)


def db_of(args: argparse.Namespace) -> str:
    """The warehouse a command works on: --db, else XXGK_DB, else data/xxgk.duckdb."""
    return str(args.db or settings.db_path())


BUSY = 3  # exit code of a writing command when another writer held the warehouse past --wait


def add_wait_argument(p) -> None:
    """--wait SECONDS, for every command that writes the warehouse."""
    p.add_argument(
        "--wait",
        type=_seconds,
        default=None,
        metavar="SECONDS",
        help="while another process writes the warehouse, wait at most this long (default: until it finishes); "
        "then exit 3 without writing",
    )


def _seconds(s: str) -> float:
    try:
        v = float(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {s!r}") from None
    if not v >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {s}")
    return v
