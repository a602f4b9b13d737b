"""Written text: a sentence that ends in a name ending in a full stop gets no second one."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from monitr.web.text import end_sentence


@pytest.mark.parametrize(
    ("text", "closed"),
    [("Acme BV", "Acme BV."), ("Gouda Hoveniers B.V.", "Gouda Hoveniers B.V."), ("Wat nu?", "Wat nu?")],
)
def test_a_sentence_ends_with_one_full_stop(text, closed):
    assert end_sentence(text) == closed


def test_the_filter_closes_the_sentence_and_escapes_the_name():
    template = Template("{% load monitr_ui %}Only transactions of {{ name|end_sentence }}")

    assert template.render(Context({"name": "<b>B.V.</b>"})) == "Only transactions of &lt;b&gt;B.V.&lt;/b&gt;."
    assert template.render(Context({"name": "Gouda Hoveniers B.V."})) == "Only transactions of Gouda Hoveniers B.V."
