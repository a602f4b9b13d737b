"""Small rules of written text that every page and message keeps."""

from __future__ import annotations

# What already closes a sentence: a name like "Gouda Hoveniers B.V." needs no second full stop.
_SENTENCE_ENDS = (".", "!", "?", "…")


def end_sentence(text: str) -> str:
    """``text`` closed by a full stop, unless it already ends with one: ``Acme BV`` → ``Acme BV.``, ``Gouda
    Hoveniers B.V.`` stays as it is."""
    text = str(text)
    return text if text.rstrip().endswith(_SENTENCE_ENDS) else f"{text}."
