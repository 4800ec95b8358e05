"""`xxgk` command line: a thin layer over the library.

Each command lives in pipelines/commands/<name>.py with `register(subparsers)`; the module
imports its heavy dependencies only when run, so `xxgk --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = ("extract", "ingest", "load-shards", "fetch", "demo", "export", "correct", "checks", "entities")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xxgk", description="政府信息公开工作年度报告 extraction, warehouse and dashboard")
    p.add_argument("--version", action="version", version="xxgk " + importlib.import_module("pipelines").__version__)
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:  # every command is there: a missing one is an error, not a quietly absent command
        importlib.import_module(f"pipelines.commands.{name.replace('-', '_')}").register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on a usage error, 0 on --help
        return int(e.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("xxgk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
