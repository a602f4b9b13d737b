"""Reading back the XLSX files the exports write, with openpyxl: values as Excel would hold them (numbers as
numbers, dates as datetimes, text as str), and the cells themselves for their number formats."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

# A character XML cannot carry as it is (a carriage return, a control character) is written as _xHHHH_, which
# Excel reads back as the character; openpyxl leaves it escaped in inline strings.
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def read_sheet(content: bytes) -> Worksheet:
    """The workbook's first sheet, fully loaded (not read-only, so that its frozen panes and widths are there)."""
    return load_workbook(io.BytesIO(content)).worksheets[0]


def _value(value: Any) -> Any:
    return ESCAPED.sub(lambda m: chr(int(m[1], 16)), value) if isinstance(value, str) else value


def read_rows(content: bytes) -> list[list[Any]]:
    """The first sheet as rows of cell values: text as str, numbers as int or float, dates as datetime, empty cells
    as None."""
    return [[_value(value) for value in row] for row in read_sheet(content).iter_rows(values_only=True)]
