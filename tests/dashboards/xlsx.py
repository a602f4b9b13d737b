"""Reading back the XLSX files the exports write (XlsxWriter only writes; openpyxl is not a dependency).

An .xlsx is a zip of XML parts; the first sheet's cells are numbers, shared strings or inline strings.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
# A character XML cannot carry as it is (a carriage return, a control character) is written as _xHHHH_.
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _text(element) -> str:
    return ESCAPED.sub(lambda m: chr(int(m[1], 16)), "".join(t.text or "" for t in element.iter(f"{{{NS['m']}}}t")))


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference).group()
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def read_rows(content: bytes) -> list[list[str | float | None]]:
    """The first sheet as rows of cell values: text as str, numbers as float, empty cells as None."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in archive.namelist():
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))  # noqa: S314 - our own export
            shared = [_text(si) for si in root.findall("m:si", NS)]
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - our own export
    rows = []
    for row in sheet.find("m:sheetData", NS).findall("m:row", NS):
        values: list[str | float | None] = []
        for cell in row.findall("m:c", NS):
            index = _column(cell.get("r"))
            values.extend([None] * (index - len(values)))
            kind = cell.get("t")
            if kind == "s":
                values.append(shared[int(cell.find("m:v", NS).text)])
            elif kind == "inlineStr":
                values.append(_text(cell))
            elif kind == "str":
                values.append(cell.find("m:v", NS).text)
            else:
                value = cell.find("m:v", NS)
                values.append(float(value.text) if value is not None else None)
        rows.append(values)
    return rows
