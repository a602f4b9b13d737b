"""British English dates: "3 Dec 2026", "3 Dec 2026 14:05", "3 Dec" (24-hour clock, as the bookkeeping has it)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
MONTH_DAY_FORMAT = "j M"
