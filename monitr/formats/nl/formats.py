"""Dutch dates: "3 dec 2026", "3 dec 2026 14:05", "3 dec" (Dutch writes months in lower case)."""

DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y H:i"
MONTH_DAY_FORMAT = "j b"
