"""How Monitr writes dates in each language (settings.FORMAT_MODULE_PATH), over Django's own formats.

Pages write a date as ``{{ day|date:"DATE_FORMAT" }}`` (or ``DATETIME_FORMAT``, ``MONTH_DAY_FORMAT``), never with a
pattern of their own, so each language's short month stays in its own spelling: "3 Dec 2026" in English,
"3 dec 2026" in Dutch (Django's ``M`` capitalises every language's month, Dutch writes it in lower case).
"""
