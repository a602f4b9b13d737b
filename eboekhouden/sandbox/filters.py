"""REST list parameters: paging and the filters written into parameter names (``date[range]=a,b``).

Parameter names are matched case-insensitively, as ASP.NET binds them; unknown parameters are ignored, as the live
service does. A bad value or an operator that does not fit the field is a 400 with ``ERR_002``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

STRING_OPS = frozenset({"eq", "not_eq", "like", "not_like"})
ORDERED_OPS = frozenset({"eq", "not_eq", "gt", "gte", "lt", "lte", "range"})
_NAME = re.compile(r"^([A-Za-z]+)(?:\[([a-z_]+)\])?$")
# A filter parameter's name: the field, then the operator in brackets (``date[range]``).
FILTER_NAME = _NAME


class ApiError(Exception):
    """An error the API answers with its documented JSON body."""

    def __init__(self, status: int, code: str | None, title: str, prop: str | None = None, kind: str = "validation"):
        super().__init__(title)
        self.status = status
        self.code = code
        self.title = title
        self.prop = prop
        self.kind = kind


def paging(query: Mapping[str, str]) -> tuple[int, int]:
    """(limit, offset) with the documented defaults and bounds."""
    lowered = {key.lower(): value for key, value in query.items()}
    limit, offset = 100, 0
    if "limit" in lowered:
        try:
            limit = int(lowered["limit"])
        except ValueError:
            limit = -1
        if not 1 <= limit <= 2000:
            raise ApiError(400, "PAGE_001", "Limit must be between 1 and 2000.", "limit")
    if "offset" in lowered:
        try:
            offset = int(lowered["offset"])
        except ValueError:
            offset = -1
        if offset < 0:
            raise ApiError(400, "PAGE_002", "Offset must be greater than or equal to 0.", "offset")
    return limit, offset


@dataclass(frozen=True, slots=True)
class Field:
    kind: str  # "string" | "int" | "date"
    get: Callable[[Any], Any]


def parse_date(text: str, prop: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ApiError(400, "ERR_002", "Your request contains an invalid value.", prop) from None


def like_pattern(pattern: str) -> re.Pattern[str]:
    """``%`` any characters, ``?`` one character; case-insensitive like the service's database collation."""
    parts: list[str] = []
    for ch in pattern:
        parts.append(".*" if ch == "%" else "." if ch == "?" else re.escape(ch))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def build(query: Mapping[str, str], fields: Mapping[str, Field]) -> Callable[[Any], bool] | None:
    """A predicate for the filters in ``query`` over ``fields`` (keyed by lower-case name); None if there are none."""
    tests: list[Callable[[Any], bool]] = []
    for name, raw in query.items():
        match = _NAME.match(name)
        if not match:
            continue
        field = fields.get(match.group(1).lower())
        if field is None:
            continue
        op = match.group(2) or "eq"
        tests.append(_test(field, op, raw, name))
    if not tests:
        return None
    return lambda item: all(test(item) for test in tests)


def _value(field: Field, raw: str, prop: str) -> Any:
    if field.kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ApiError(400, "ERR_002", "Your request contains an invalid value.", prop) from None
    if field.kind == "date":
        return parse_date(raw, prop)
    return raw.lower()


def _test(field: Field, op: str, raw: str, prop: str) -> Callable[[Any], bool]:
    allowed = STRING_OPS if field.kind == "string" else ORDERED_OPS
    if op not in allowed:
        raise ApiError(400, "ERR_002", "Your request contains an invalid value.", prop)
    get = field.get
    if field.kind == "string":
        if op in ("like", "not_like"):
            regex = like_pattern(raw)
            wanted = op == "like"
            return lambda item: bool(regex.fullmatch(str(get(item) or ""))) is wanted
        value = raw.lower()
        if op == "eq":
            return lambda item: str(get(item) or "").lower() == value
        return lambda item: str(get(item) or "").lower() != value
    if op == "range":
        low_raw, sep, high_raw = raw.partition(",")
        if not sep:
            raise ApiError(400, "ERR_002", "Your request contains an invalid value.", prop)
        low, high = _value(field, low_raw, prop), _value(field, high_raw, prop)
        return lambda item: low <= get(item) <= high
    value = _value(field, raw, prop)
    compare: dict[str, Callable[[Any], bool]] = {
        "eq": lambda item: get(item) == value,
        "not_eq": lambda item: get(item) != value,
        "gt": lambda item: get(item) > value,
        "gte": lambda item: get(item) >= value,
        "lt": lambda item: get(item) < value,
        "lte": lambda item: get(item) <= value,
    }
    return compare[op]
