"""One lazy field for the check engine's result classes (review item D2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class lazy_field(Generic[T]):  # lower case: used as a decorator, like property
    """A dataclass field a subclass computes on first read (most check instances pass and are never
    described): the value is kept in the instance's __dict__ under the field's own name, so the object
    compares, reprs and reads exactly as the eager dataclass does. A data descriptor (it has __set__), so it
    may stand for a writeable dataclass field; assigning the field sets the value outright."""

    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> lazy_field[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> T | lazy_field[T]:
        if obj is None:
            return self
        d = obj.__dict__
        if self.name in d:
            value: T = d[self.name]
            return value
        value = d[self.name] = self.func(obj)
        return value

    def __set__(self, obj: object, value: T) -> None:
        obj.__dict__[self.name] = value
