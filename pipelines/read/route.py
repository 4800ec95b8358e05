"""Which source a query reads: the dashboard tables while they are fresh (built from the warehouse as it is
now, by fingerprint), else the base tables (same results, slower)."""

from __future__ import annotations

import weakref
from typing import Any

from pipelines.sqlq import EMPTY, Sql
from pipelines.warehouse.dash import fingerprint


def _forced() -> str | None:
    """``pipelines.read.FORCE``: None = the freshest available (report_agg > report_dash > join); "agg" / "dash" /
    "base" force one (tests compare the paths by setting it on the package)."""
    import pipelines.read as pkg

    return pkg.FORCE


_META_QUERY = {t: "SELECT fingerprint FROM " + t for t in ("report_dash_meta", "report_agg_meta")}


def _meta_fp(cur, table: str) -> str | None:
    if table not in _META_QUERY:
        raise ValueError(f"not a fingerprint table: {table}")
    try:
        row = cur.execute(_META_QUERY[table]).fetchone()
    except Exception:
        return None
    return row[0] if row else None


_FRESH: weakref.WeakKeyDictionary[Any, tuple[bool, bool]] = weakref.WeakKeyDictionary()


def freshness(con) -> tuple[bool, bool]:
    """(report_agg fresh, report_dash fresh): built from the warehouse as it is now (one fingerprint query).
    Remembered per read-only connection (its snapshot cannot change); checked on every call otherwise."""
    try:
        return _FRESH[con]
    except (KeyError, TypeError):
        pass
    cur = con.cursor()
    dash_fp = _meta_fp(cur, "report_dash_meta")
    if dash_fp is None:
        out = (False, False)
    else:
        now = fingerprint(con)
        out = (_meta_fp(cur, "report_agg_meta") == now, dash_fp == now)
    if cur.execute("SELECT current_setting('access_mode')").fetchone()[0] == "read_only":
        try:
            _FRESH[con] = out
        except TypeError:  # not weak-referenceable: just don't remember
            pass
    return out


def has_dash(con) -> bool:
    """True when report_dash exists and was built from the warehouse as it is now."""
    return freshness(con)[1]


def has_agg(con) -> bool:
    """True when report_agg (and its small tables) exist and were built from the warehouse as it is now."""
    return freshness(con)[0]


def _route(con, agg_ok: bool = True) -> str:
    """'agg' | 'dash' | 'base' for a query; ``agg_ok`` = its filters and groups are at or above the grain."""
    force = _forced()
    if force is not None:
        return "dash" if (force == "agg" and not agg_ok) else force
    agg, dash = freshness(con)
    if agg and agg_ok:
        return "agg"
    return "dash" if dash else "base"


def _facts_source(route: str) -> tuple[Sql, Sql]:
    """FROM clause (alias r = filters, x = facts) and the condition restricting it to reports with facts."""
    if route == "base":
        return Sql("reports r JOIN report_facts x ON x.report_id = r.report_id"), EMPTY
    return Sql("report_dash r"), Sql("r.has_facts")
