"""SQL text composed from trusted parts only: the project's rule "SQL takes bound parameters, never formatted
strings", made checkable.

An ``Sql`` is SQL text known to contain no caller-supplied text. There are four ways to get one:

- ``Sql("…")`` around a string literal written in code (a constant fragment; the test
  tests/app/test_sql_allowlist.py checks that every ``Sql(…)`` call in pipelines/ passes a literal);
- ``ident(name, allowed)``: an identifier that is a member of an explicit allow-list;
- ``expr(text, allowed)``: a fixed expression of a catalogue defined in code (measure formulas, ORDER BY
  lists, group expressions) whose every qualified name (``alias.column``) is in an allow-list and whose other
  tokens are numbers, ``+ - * / ( ) ,`` and a few keywords (DESC, NULLS LAST, …);
- ``pick(key, fragments)``: the ``Sql`` a fixed table of fragments holds under an allow-listed key;

and composing ``Sql`` values: ``a + b``, ``Sql(", ").join(parts)``, ``Sql("SELECT {cols} FROM {src}").format(…)``.
Anything else raises: ``ValueError`` for a name, key or expression not allowed (before any SQL runs),
``TypeError`` for a plain ``str`` where an ``Sql`` is expected. Values never enter the text: they are ``?``
parameters, passed beside the statement to ``run`` / ``frame``, the only places an ``Sql`` is executed.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Collection, Container, Hashable, Iterable, Mapping, Sequence
from typing import Any, LiteralString, TypeVar

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TOKEN = re.compile(
    r"\s+|(?P<q>[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*)|(?P<w>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<n>[0-9]+)|(?P<op>[-+*/(),])"
)
T = TypeVar("T")
KEYWORDS = frozenset({"ASC", "DESC", "NULLS", "FIRST", "LAST"})
_FORMATTER = string.Formatter()


class Sql:
    """SQL text with no caller-supplied text in it (see the module doc). Not a ``str``: a string can never
    pass for one."""

    __slots__ = ("text",)

    def __init__(self, text: LiteralString) -> None:
        if type(text) is not str:
            raise TypeError(f"Sql() takes a string literal, not {type(text).__name__}")
        self.text = text

    @classmethod
    def _of(cls, text: str) -> Sql:  # this module only: text it has checked or composed from Sql parts
        out = object.__new__(cls)
        out.text = text
        return out

    def __add__(self, other: Sql) -> Sql:
        return Sql._of(self.text + _text(other))

    def __radd__(self, other: Any) -> Sql:
        raise TypeError(f"cannot add {type(other).__name__} to Sql")

    def join(self, parts: Iterable[Sql]) -> Sql:
        return Sql._of(self.text.join(_text(p) for p in parts))

    def format(self, **parts: Sql) -> Sql:
        """Fill the ``{name}`` fields of this (literal) template with Sql parts; every field once named."""
        fields = _fields(self.text)
        if fields != parts.keys():
            raise ValueError(f"template fields {sorted(fields)} != parts {sorted(parts)}")
        return Sql._of(self.text.format(**{k: _text(v) for k, v in parts.items()}))

    def __bool__(self) -> bool:
        return bool(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sql) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Sql({self.text!r})"


EMPTY = Sql("")


@functools.lru_cache(maxsize=1024)
def _fields(template: str) -> frozenset[str]:
    return frozenset(f for _, f, _, _ in _FORMATTER.parse(template) if f is not None)


def _text(part: Any) -> str:
    if not isinstance(part, Sql):
        raise TypeError(f"expected Sql, got {type(part).__name__}: {part!r:.80}")
    return part.text


class Pattern:
    """An allow-list given by a pattern (generated names such as positional aliases ``m12_num``)."""

    def __init__(self, regex: str) -> None:
        self._re = re.compile(regex)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._re.fullmatch(name) is not None


def ident(name: str, allowed: Container[str], what: str = "identifier") -> Sql:
    """``name`` as SQL text, when it is a plain identifier in ``allowed``; ValueError otherwise."""
    if not isinstance(name, str) or not _IDENT.fullmatch(name) or name not in allowed:
        raise ValueError(f"{what} not allowed: {name!r}")
    return Sql._of(name)


def expr(text: str, allowed: Collection[str], keywords: Collection[str] = KEYWORDS) -> Sql:
    """A fixed expression from a catalogue in code, as SQL text: every ``alias.column`` in it must be in
    ``allowed``, every bare word in ``keywords``; otherwise only numbers, ``+ - * / ( ) ,`` and spaces."""
    if not isinstance(text, str):
        raise TypeError(f"expr() takes str, not {type(text).__name__}")
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"expression not allowed: {text!r} (at {text[pos : pos + 20]!r})")
        if (m["q"] and m["q"] not in allowed) or (m["w"] and m["w"] not in keywords):
            raise ValueError(f"expression not allowed: {text!r} ({m[0]!r})")
        pos = m.end()
    return Sql._of(text)


def pick(key: Hashable, fragments: Mapping[Any, T], what: str = "key") -> T:
    """What a fixed table of fragments (Sql, or tuples of Sql) holds under ``key``; ValueError for a key it
    does not have."""
    try:
        return fragments[key]
    except (KeyError, TypeError):
        raise ValueError(f"{what} not allowed: {key!r}") from None


def run(cur, q: Sql, params: Sequence[Any] | None = None):
    """Execute a composed statement (values only as ``params``); returns the cursor, as ``execute`` does."""
    return cur.execute(_text(q)) if params is None else cur.execute(_text(q), params)


def frame(cur, q: Sql, params: Sequence[Any] | None = None):
    """A composed query's result as a polars frame."""
    return cur.sql(_text(q), params=params).pl()
