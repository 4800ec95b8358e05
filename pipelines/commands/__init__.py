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
