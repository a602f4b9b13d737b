"""Every word a person reads is marked for translation, and the Dutch catalogue is whole and compiled.

The template check reads each template as Django's lexer does: the text between tags and variables, parsed as HTML,
must hold no words outside ``{% translate %}`` and ``{% blocktranslate %}``; nor may the attributes people read
(``title``, ``aria-label``, ``placeholder``, ``alt``, ``data-confirm``), nor the literal text given to the
``default`` and ``yesno`` filters. Code samples (``<code>``, ``<kbd>``, ``<pre>``), scripts, styles and comments are
not prose, and the brand names below are the same in every language.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LOCALES = Path(settings.BASE_DIR) / "locale"
# Words that are the same in every language: names, not prose.
BRANDS = re.compile(r"\b(Monitr|e-Boekhouden|Swagger|CSV|XLSX)\b")
WORD = re.compile(r"[^\W\d_]{2,}")
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "data-confirm", "aria-description", "value"}
NOT_PROSE = {"script", "style", "code", "kbd", "pre"}
# {% blocktranslate %} … {% endblocktranslate %} and {% comment %} … {% endcomment %}: their text is not checked here.
SKIPPED_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}
# A variable stands in the text as this character, so "{{ n }} items" still shows its words.
SLOT = "\x00"
FILTER_TEXT = re.compile(r"\|(?:default|default_if_none|yesno):(?P<q>[\"'])(?P<text>.*?)(?P=q)")


def _words(text: str) -> bool:
    return bool(WORD.search(BRANDS.sub("", text.replace(SLOT, " "))))


class _Prose(HTMLParser):
    """Collects the text and the read attributes of an HTML fragment that hold words."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NOT_PROSE:
            self.skipping.append(tag)
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and _words(value):
                # An input's value is data, a button's is its label.
                if name == "value" and tag != "button" and dict(attrs).get("type") not in {"submit", "button"}:
                    continue
                self.found.append(f'{name}="{value}"')

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and _words(data):
            self.found.append(" ".join(data.split()))


def untranslated(source: str, *, html: bool = True) -> list[str]:
    """The words of a template that are not marked for translation."""
    pieces: list[str] = []
    closing = None
    for token in Lexer(source).tokenize():
        if closing:
            if token.token_type == TokenType.BLOCK and token.split_contents()[0] == closing:
                closing = None
            continue
        if token.token_type == TokenType.TEXT:
            pieces.append(token.contents)
        elif token.token_type == TokenType.VAR:
            # A filter's literal text stands where the variable is: read as prose in text, ignored in a class.
            pieces.append(SLOT + " ".join(m["text"] for m in FILTER_TEXT.finditer(token.contents)))
        elif token.token_type == TokenType.BLOCK:
            closing = SKIPPED_BLOCKS.get(token.split_contents()[0])
            pieces.append(SLOT)
    text = "".join(pieces)
    if not html:
        return [" ".join(line.split()) for line in text.splitlines() if _words(line)]
    parser = _Prose()
    parser.feed(text)
    parser.close()
    return parser.found


def _templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"})


@pytest.mark.parametrize("path", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_template_marks_every_word_for_translation(path: Path) -> None:
    words = untranslated(path.read_text(encoding="utf-8"), html=path.suffix == ".html")
    assert not words, f"{path.relative_to(TEMPLATES)} has words not marked for translation: {words}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Nothing outstanding</p>", ["Nothing outstanding"]),
        ('<button aria-label="Close menu">×</button>', ['aria-label="Close menu"']),
        ("<p>{{ count }} items</p>", [f"{SLOT} items"]),
        ('<td>{{ when|default:"never" }}</td>', [f"{SLOT}never"]),
        ('<div class="alert-{{ tag|default:"info" }}"></div>', []),
        ("{% load i18n %}<p>{% translate 'Nothing outstanding' %}</p>", []),
        ("{% load i18n %}<p>{% blocktranslate %}{{ n }} items{% endblocktranslate %}</p>", []),
        ("<p><code>EMAIL_URL</code> · Monitr · e-Boekhouden · 42 · €</p>", []),
        ('<input name="q" value="{{ q }}"><input type="hidden" value="outstanding">', []),
    ],
)
def test_the_check_finds_what_is_not_marked(source: str, expected: list[str]) -> None:
    assert untranslated(source) == expected


def _catalogues() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/*.po"))


def test_there_is_a_dutch_catalogue() -> None:
    assert LOCALES / "nl" / "LC_MESSAGES" / "django.po" in _catalogues()


PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: str(p.relative_to(LOCALES)))
def test_catalogue_is_whole_and_keeps_placeholders(po_path: Path) -> None:
    catalogue = polib.pofile(str(po_path))
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert not missing, f"{po_path.relative_to(LOCALES)}: {len(missing)} strings not translated, e.g. {missing[:5]}"
    for entry in catalogue.translated_entries():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for translation in [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values():
            # A plural's singular may say the number in words ("één"), so its placeholders may be fewer.
            got = sorted(PLACEHOLDER.findall(translation))
            assert set(got) <= set(wanted) if entry.msgid_plural else got == wanted, (entry.msgid, translation)


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: str(p.relative_to(LOCALES)))
def test_compiled_catalogue_matches_its_source(po_path: Path) -> None:
    """The committed .mo is what `make messages` compiles from the .po: no string translated in one and not the
    other."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path.relative_to(LOCALES)} is missing: run make messages"

    def pairs(entries: list[polib.POEntry] | list[polib.MOEntry]) -> set[tuple[str, str]]:
        return {
            ((e.msgctxt or "") + "\x04" + e.msgid, e.msgstr or repr(sorted(e.msgstr_plural.items())))
            for e in entries
            if e.msgid
        }

    source = pairs(polib.pofile(str(po_path)).translated_entries())
    compiled = pairs(list(polib.mofile(str(mo_path))))
    assert source == compiled, (
        f"{mo_path.relative_to(LOCALES)} is older than its .po: run make messages "
        f"({len(source - compiled)} changed in the .po, {len(compiled - source)} only in the .mo)"
    )
