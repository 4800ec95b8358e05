"""`xxgk entities`: resolve an agency name; list the agencies a person must settle."""

from __future__ import annotations

import sys

from pipelines.commands import add_db, db_of


def register(sub) -> None:
    p = sub.add_parser(
        "entities",
        help="resolve agency names; list unresolved agencies",
        description="--unresolved: agencies of the warehouse whose name resolves as ambiguous or "
        "unknown (settle them in data/aliases.yaml). NAME: show how one name resolves.",
    )
    p.add_argument("name", nargs="?", help="an agency name to resolve")
    p.add_argument("--province"), p.add_argument("--city"), p.add_argument("--county")
    p.add_argument("--unresolved", action="store_true", help="list unresolved agencies of --db")
    add_db(p)
    p.set_defaults(func=run)


def unresolved(db: str) -> list[dict]:
    from pipelines.entities import resolve
    from pipelines.quality import connect

    con = connect(db)
    try:
        rows = con.execute(
            "SELECT agency, province, city, county, count(*) AS n, min(year), max(year)"
            " FROM reports GROUP BY ALL ORDER BY agency"
        ).fetchall()
    finally:
        con.close()
    out = []
    for agency, prov, city, county, n, y0, y1 in rows:
        e = resolve(agency, {"province": prov, "city": city, "county": county})
        if e.status != "resolved":
            out.append(
                {
                    "agency": agency,
                    "status": e.status,
                    "agency_id": e.agency_id,
                    "note": e.note,
                    "reports": n,
                    "years": f"{y0}–{y1}",
                }
            )
    return out


def run(args) -> int:
    if args.unresolved:
        try:
            rows = unresolved(db_of(args))
        except FileNotFoundError as e:
            print(f"xxgk entities: {e}", file=sys.stderr)
            return 1
        for r in rows:
            print(
                f"{r['status']:9} {r['agency'] or '(no name)'}  [{r['reports']} reports, {r['years']}]"
                + (f"  {r['note']}" if r["note"] else "")
            )
        print(f"{len(rows)} unresolved")
        return 0
    if not args.name:
        print("xxgk entities: give NAME or --unresolved", file=sys.stderr)
        return 2
    from pipelines.entities import resolve

    ent = resolve(args.name, {"province": args.province, "city": args.city, "county": args.county})
    for k, v in ent.to_dict().items():
        print(f"{k:12} {v if v is not None else ''}")
    return 0 if ent.status == "resolved" else 1
