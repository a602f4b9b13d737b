"""Texts that are written to the database in English and shown in the reader's language.

A sync runs in a worker, for an organisation whose members may each read Monitr in another language, so what it
writes down (a connection's status message, a run's error, the label of a stream) is written in English, the
source language, and translated when a page shows it: :func:`shown`. A fixed text is marked with ``gettext_noop``
(or is a lazy ``gettext_lazy`` constant, made English by :func:`stored`) and found in the catalogue as it is. A text
with values in it is declared once with :func:`stored_pattern`: :func:`shown` recognises it by its English wording,
takes the values out and puts them into the translation; a sentence whose form depends on a number is declared with
:func:`stored_plural`. A text of several lines is translated line by line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext, ngettext

from monitr.web.numbers import format_number

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_ENGLISH_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*(\.\d+)?|-?\d+(\.\d+)?")


@dataclass(frozen=True, slots=True)
class _Pattern:
    template: str
    regex: re.Pattern[str]
    translated: frozenset[str]
    numbers: frozenset[str] = frozenset()
    # Of a sentence whose form depends on a number: its singular and plural, and the placeholder of the number.
    plural: tuple[str, str, str] | None = None


_PATTERNS: dict[str, _Pattern] = {}


def _by_wording() -> list[_Pattern]:
    """The patterns in the order they are tried: those that place another stored text (their ``message``, as "row
    12: ...") first, since the text they hold may itself be a pattern that would take their words as a value; each
    kind with the most words of its own first."""
    return sorted(
        _PATTERNS.values(),
        key=lambda p: ("message" not in p.regex.groupindex, -len(_PLACEHOLDER.sub("", p.template))),
    )


def _regex(template: str) -> re.Pattern[str]:
    parts = _PLACEHOLDER.split(template)
    return re.compile(
        "".join(re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts)),
        re.DOTALL,
    )


def stored_pattern(template: str, *, translated: tuple[str, ...] = (), numbers: tuple[str, ...] = ()) -> str:
    """Declare ``template`` (an English sentence with ``%(name)s`` placeholders, marked for translation where it is
    written) as one that may be stored; the values named in ``translated`` are themselves English words of the
    catalogue, and those named in ``numbers`` are numbers written the English way (``1,234.50``), shown the way of
    the reader's language. Returns the template."""
    _PATTERNS[template] = _Pattern(template, _regex(template), frozenset(translated), frozenset(numbers))
    return template


def stored_plural(singular: str, plural: str, number: str) -> None:
    """Declare a sentence whose form depends on the number in its placeholder ``number`` (as ``ngettext`` takes
    it), in both its English forms."""
    for template in (singular, plural):
        _PATTERNS[template] = _Pattern(template, _regex(template), frozenset(), plural=(singular, plural, number))


def stored(text: Any) -> str:
    """``text`` (a lazy translation, or a plain string) as it is written to the database: in English."""
    with translation.override(None):
        return str(text)


def _filled(
    template: str,
    values: dict[str, str],
    translated: frozenset[str] = frozenset(),
    numbers: frozenset[str] = frozenset(),
) -> str:
    shown_values = {
        name: gettext(value) if name in translated else _number(value) if name in numbers else value
        for name, value in values.items()
    }
    return gettext(template) % shown_values


def _number(text: str) -> str:
    """A number written the English way, in the active language's way; anything else as it is."""
    if not _ENGLISH_NUMBER.fullmatch(text):
        return text
    places = len(text.partition(".")[2])
    return format_number(Decimal(text.replace(",", "")), places)


def _count(text: str) -> int:
    digits = re.sub(r"\D", "", text)
    return int(digits) if digits else 0


def shown(text: str | None) -> str:
    """A stored English text in the active language; a text Monitr did not write (the books' own words, a stored
    text from before it was translated) comes back as it is."""
    if not text:
        return text or ""
    if "\n" in text:
        return "\n".join(shown(line) for line in text.split("\n"))
    translated = _translated(text)
    return text if translated is None else translated


def _translated(text: str) -> str | None:
    """``text`` translated, or None when it is none of Monitr's texts."""
    translated = gettext(text)
    if translated != text:
        return translated
    for found in _by_wording():
        match = found.regex.fullmatch(text)
        if not match:
            continue
        values = match.groupdict()
        if "message" in values:
            # A problem's place and its message: only when the message is one of Monitr's ("e-Boekhouden refused
            # the request: ..." has a colon too, and e-Boekhouden's own words after it).
            message = _translated(values["message"])
            if message is None:
                continue
            values["message"] = message
        if found.plural is not None:
            singular, plural, number = found.plural
            return ngettext(singular, plural, _count(values[number])) % values
        return _filled(found.template, values, found.translated, found.numbers)
    return None


def _pattern_text(template: str, values: dict[str, str]) -> str:
    found = _PATTERNS.get(template)
    if found is None:
        return _filled(template, values)
    return _filled(template, values, found.translated, found.numbers)


_lazy_pattern_text = lazy(_pattern_text, str)


def pattern_text(template: str, **values: str) -> Any:
    """A declared pattern filled with ``values``, translated when it is read: in the reader's language on a page,
    in English when :func:`stored`."""
    return _lazy_pattern_text(template, values)
