"""`xxgk extract FILE [--json]`: one report file in, one JSON object out (spec/extract-json.md)."""

from __future__ import annotations

import json
import sys


def register(sub) -> None:
    p = sub.add_parser(
        "extract",
        help="extract one report file (no database is touched)",
        description="Extract one report (HTML, TXT, MD, PDF, DOCX, DOC, image) and print its tables.",
    )
    p.add_argument("file", help="the report file")
    p.add_argument("--json", action="store_true", help="print the extract-json object (the stable contract)")
    p.set_defaults(func=run)


def run(args) -> int:
    from pipelines.document import ReadError, shown_path
    from pipelines.extract import extract_file

    try:
        report = extract_file(args.file)
    except ReadError as e:
        print(f"xxgk extract: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # a reader or parser bug must still name the file, on one line
        msg = " ".join(str(e).split()) or type(e).__name__
        print(shown_path(f"xxgk extract: {args.file}: {type(e).__name__}: {msg}"), file=sys.stderr)
        return 2
    obj = report.to_json()
    obj["source"] = shown_path(obj["source"])  # a name that is not UTF-8 as \xNN bytes: valid JSON, one rule
    if args.json:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
        return 0
    _print_human(obj)
    return 0


def _print_human(obj: dict) -> None:
    from pipelines.templates import TABLE3_COLUMN_LABELS

    region = " ".join(v for v in (obj["region"] or {}).values() if v)
    print(f"{obj['agency'] or '?'}  {obj['year'] or '?'}  template {obj['template']}  {region}")
    print("table 3:  " + " ".join(f"{TABLE3_COLUMN_LABELS[c]:>6}" for c in TABLE3_COLUMN_LABELS))
    for key, row in obj["table3"].items():
        print(f"  {key:26} " + " ".join(f"{'' if v is None else v:>6}" for v in row))
    print("table 4:  " + " ".join("" if v is None else str(v) for v in obj["table4"]))
    if obj["fees_collected_yuan"] is not None:
        print(f"信息处理费: {obj['fees_collected_yuan']} 元")
    for f in obj["findings"]:
        print(f"  [{f['severity']}] {f['check']} {f['where']}: {f['message']}")
