"""A small JSON encoder that writes Decimal as a JSON number from its text.

The standard library can only write Decimal by converting it to float (or to a string). The API must emit
``12.50`` as the number ``12.50``, exactly, so the sandbox serialises its own (simple) documents.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

_encode_string = json.encoder.encode_basestring_ascii


def dumps(value: Any) -> str:
    """Serialise dicts, lists, tuples, strings, ints, bools, None and Decimals to compact JSON."""
    parts: list[str] = []
    _write(value, parts.append)
    return "".join(parts)


def loads(text: str | bytes) -> Any:
    """Parse JSON with every non-integer number as Decimal."""
    return json.loads(text, parse_float=Decimal)


def _write(value: Any, out: Any) -> None:
    if isinstance(value, str):
        out(_encode_string(value))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, int):
        out(str(value))
    elif isinstance(value, float):
        # Only settings (a fault's error rate) are floats; money is always Decimal.
        out(repr(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("non-finite Decimal cannot be written as JSON")
        out(format(value, "f"))
    elif isinstance(value, dict):
        out("{")
        first = True
        for key, item in value.items():
            if not first:
                out(",")
            first = False
            out(_encode_string(str(key)))
            out(":")
            _write(item, out)
        out("}")
    elif isinstance(value, list | tuple):
        out("[")
        for index, item in enumerate(value):
            if index:
                out(",")
            _write(item, out)
        out("]")
    else:
        raise TypeError(f"cannot serialise {type(value).__name__} to JSON")
