"""Large ledger files made on the fly: a journal of many small balanced entries, written straight to disk."""

from __future__ import annotations

from pathlib import Path

HEADER = "date,entry,account_code,account_name,description,debit,credit,account_type,relation,cost_centre\r\n"
ACCOUNTS = (("8000", "Omzet", "revenue"), ("4500", "Kantoorkosten", "cost"))


def _entry(number: int, pad: int = 0) -> str:
    day = f"2025-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
    code, name, kind = ACCOUNTS[number % 2]
    amount = f"{number % 9000 + 10}.{number % 100:02d}"
    bank, other = (f"{amount},", f",{amount}") if kind == "revenue" else (f",{amount}", f"{amount},")
    relation = f"Relatie {number % 500}"
    return (
        f"{day},E{number},1100,Bank,Boeking {number} {relation}{' …' * pad},{bank},bank,{relation},\r\n"
        f"{day},E{number},{code},{name},Boeking {number} {relation},{other},{kind},{relation},Afdeling {number % 5}\r\n"
    )


def write_journal(path: Path, size: int) -> int:
    """A journal of exactly ``size`` bytes (the last description padded to fit); returns the number of entries."""
    with path.open("w", encoding="ascii", newline="") as file:
        written = file.write(HEADER)
        number = 0
        while True:
            text = _entry(number)
            if written + len(text) > size - 200:
                break
            written += file.write(text)
            number += 1
        last = _entry(number)
        padding = size - written - len(last)
        file.write(last.replace("Boeking", "Boeking" + "." * padding, 1))
    assert path.stat().st_size == size
    return number + 1


def write_entries(path: Path, entries: int, *, pad: int = 0) -> int:
    """A journal of ``entries`` entries whose descriptions are ``pad`` words longer; returns its size in bytes."""
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(HEADER)
        for number in range(entries):
            file.write(_entry(number, pad))
    return path.stat().st_size
