"""Texts a worker stores in English, shown in the reader's language: fixed texts, texts with values, plurals,
figures, several lines, and text Monitr did not write."""

from __future__ import annotations

from django.utils import translation

from eboekhouden.client import errors as eb_errors
from integrations.errors import AuthenticationError
from ledgerfile.book import DEBIT_EXCEEDS
from ledgerfile.report import Report
from monitr.web.stored_text import shown, stored


def dutch(text: str) -> str:
    with translation.override("nl"):
        return shown(text)


def test_a_fixed_text_is_found_in_the_catalogue():
    assert dutch(eb_errors.RATE_LIMITED).startswith("e-Boekhouden beperkt op dit moment het aantal verzoeken.")


def test_a_text_with_values_keeps_them():
    assert dutch(eb_errors.REFUSED_BECAUSE % {"detail": "Ongeldige periode (LEDG_001)"}) == (
        "e-Boekhouden heeft het verzoek geweigerd: Ongeldige periode (LEDG_001)"
    )


def test_a_figure_is_written_the_readers_way():
    text = DEBIT_EXCEEDS % {"entry": "0042", "difference": "1,234.50"}

    assert dutch(text) == "Boeking 0042 is niet in balans: het debet is 1.234,50 hoger dan het credit."
    assert shown(text) == text  # in English, as it was stored


def test_a_plural_takes_the_readers_form():
    one, many = Report(), Report()
    one.add("The date is missing.", row=2)
    for row in range(2, 5):
        many.add("The date is missing.", row=row)

    assert dutch(one.message).splitlines()[0].endswith("1 probleem gevonden. Er is niets geïmporteerd.")
    assert dutch(many.message).splitlines()[0].endswith("3 problemen gevonden. Er is niets geïmporteerd.")
    assert dutch(many.message).splitlines()[1:] == [
        "rij 2: De datum ontbreekt.",
        "rij 3: De datum ontbreekt.",
        ("rij 4: De datum ontbreekt."),
    ]


def test_text_monitr_did_not_write_stays_as_it_is():
    assert dutch("Bakkerij De Zon") == "Bakkerij De Zon"
    assert dutch("Some words: of a source") == "Some words: of a source"  # a colon is not a problem's place
    assert dutch("") == ""


def test_an_error_message_is_translated_when_read_and_stored_in_english():
    error = AuthenticationError(eb_errors.KEY_REFUSED)

    with translation.override("nl"):
        read = str(error)

    assert read.startswith("e-Boekhouden heeft deze API-sleutel niet geaccepteerd.")
    assert stored(error.user_message) == eb_errors.KEY_REFUSED
