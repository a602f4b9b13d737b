"""The Integrations pages in Dutch: the cards, the Add wizard, the gear, the sync history and what a sync stored in
English (a status message, a run's error, a stream's label), all in the reader's language, numbers written the Dutch
way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Connection, ConnectionStatus, SyncRun
from integrations.models.connection import INTERRUPTED
from integrations.services import FIRST_IMPORT_SOON

pytestmark = pytest.mark.django_db

NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


KEY = "FAKE-KEY-abcdef9876"


def card(client) -> str:
    return client.get(reverse("integrations:category", args=["accounting"]), **NL).content.decode()


def _succeeded_run(connection, **fields) -> SyncRun:
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.SUCCEEDED, last_success_at=timezone.now()
    )
    run = SyncRun.objects.create(
        connection=connection,
        administration=connection.administration,
        trigger="manual",
        status="succeeded",
        finished_at=timezone.now(),
        **fields,
    )
    return run


def test_the_cards_speak_dutch_with_dutch_numbers(admin_client, connection):
    _succeeded_run(
        connection,
        counts={
            "ledgers": {"label": "Chart of accounts", "records": "accounts", "new": 12},
            "mutations": {"label": "Transactions", "records": "transactions", "new": 1562, "changed": 3},
        },
        api_calls={"/v1/mutation": 1, "/v1/mutation/{id}": 1_233},
    )

    html = card(admin_client)

    for dutch in (
        "Koppelingen",
        "Boekhoudpakketten",
        "Koppel je boekhouding; Monitr importeert die elke nacht en wanneer je erom vraagt.",
        'aria-label="Instellingen"',
        "Nu synchroniseren",
        "Inloggegevens bijwerken",
        "Verbinding verwijderen",
        "Koppeling verwijderen",
        "Synchronisatiegeschiedenis",
        "Gelukt",
        "Laatste geslaagde import",
        "1.234 API-aanroepen",
        "Nieuw: 12 grootboekrekeningen, 1.562 boekingen; gewijzigd: 3 boekingen.",
    ):
        assert dutch in html, dutch
    for english in (
        "Connect your bookkeeping",
        "Accounting Software",
        "Sync now",
        "Remove connection",
        "Delete integration",
        "Sync history",
        "Last successful import",
        "API calls",
        "Succeeded",
        "1,234",
        "New: ",
    ):
        assert english not in html, english


def test_a_card_without_connections_says_so_in_dutch(member_client, fake_provider):
    html = card(member_client)

    assert "Nog niet verbonden. Een beheerder van" in html
    assert "Not connected yet" not in html


def test_the_add_wizard_in_dutch(admin_client, fake_provider, enqueued, django_capture_on_commit_callbacks):
    add = reverse("integrations:add", args=["fakebooks"])

    step1 = admin_client.get(add, **NL).content.decode()
    checked = admin_client.post(add, {"api_key": KEY}, **NL)
    step2 = admin_client.get(checked.url, **NL).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(checked.url, {"administration": "adm-1"}, follow=True, **NL)

    assert "FakeBooks koppelen" in step1 and "Inloggegevens" in step1 and ">Volgende</button>" in step1
    assert ">Annuleren</a>" in step1
    assert "Connect FakeBooks" not in step1 and ">Next<" not in step1 and "Credentials" not in step1
    assert "De inloggegevens werken. Welke administratie moet Monitr importeren?" in step2
    assert "Terug naar de inloggegevens" in step2 and ">Verbinden</button>" in step2
    assert "Which administration should Monitr import?" not in step2 and ">Connect<" not in step2
    page = done.content.decode()
    assert "Fake Company BV is verbonden. De eerste import is gestart." in page
    assert "The first import has started" not in page
    assert len(enqueued) == 1


def test_the_wizard_asks_for_an_administration_in_dutch(admin_client, fake_provider):
    add = reverse("integrations:add", args=["fakebooks"])
    checked = admin_client.post(add, {"api_key": KEY}, **NL)

    html = admin_client.post(checked.url, {}, **NL).content.decode()

    assert "Kies de administratie die je wilt verbinden." in html
    assert "Choose the administration to connect." not in html


def test_the_gear_pages_in_dutch(admin_client, connection):
    remove = admin_client.get(reverse("integrations:remove", args=[connection.pk]), **NL).content.decode()
    delete = admin_client.get(reverse("integrations:delete", args=["fakebooks"]), **NL).content.decode()
    update = admin_client.get(reverse("integrations:update_key", args=[connection.pk]), **NL).content.decode()
    refused = admin_client.post(
        reverse("integrations:delete", args=["fakebooks"]), {"confirm_name": "wrong"}, **NL
    ).content.decode()

    assert "Verbinding met Fake Company BV verwijderen?" in remove and "Monitr stopt met het importeren" in remove
    assert "Remove the connection" not in remove and "stays readable" not in remove
    assert "Koppeling met FakeBooks verwijderen?" in delete and "ter bevestiging" in delete
    assert "Delete the FakeBooks integration" not in delete and "This cannot be undone" not in delete
    assert "De inloggegevens van Fake Company BV bijwerken" in update
    assert "Nu in gebruik: Fake key ••••6789." in update and ">Bijwerken en synchroniseren</button>" in update
    assert "Update the credentials" not in update and "Now using" not in update
    assert "Typ ter bevestiging precies de naam van de organisatie" in refused
    assert "exactly to confirm" not in refused


def test_sync_now_on_a_connection_that_needs_a_new_key_says_so_in_dutch(admin_client, connection, enqueued):
    Connection.objects.filter(pk=connection.pk).update(status=ConnectionStatus.RECONNECT_NEEDED)

    page = admin_client.post(reverse("integrations:sync_now", args=[connection.pk]), follow=True, **NL)

    html = page.content.decode()
    assert "Werk eerst de inloggegevens bij; daarna kan deze verbinding weer synchroniseren." in html
    assert "connection can sync again" not in html
    assert 'title="Werk eerst de inloggegevens bij"' in html


def test_the_history_in_dutch(member_client, connection):
    run = _succeeded_run(
        connection,
        counts={
            "journal": {"label": "Transactions", "new": 1200, "changed": 3, "deleted": 1, "unchanged": 0},
            "relations": {
                "label": "Relations",
                "set_aside": 2,
                "set_aside_records": [
                    {"record": "Relation 12 Jansen Bouw", "reason": "An amount in it is too large to calculate with."},
                    {"record": "Mutation 88 of 2025-03-04, invoice F-2025-7", "reason": "Kept as the source has it."},
                ],
            },
        },
        api_calls={"/v1/mutation": 1_234},
    )
    SyncRun.objects.filter(pk=run.pk).update(
        started_at=dt.datetime(2025, 3, 4, 9, 30, tzinfo=dt.UTC),
        finished_at=dt.datetime(2025, 3, 4, 9, 31, 5, tzinfo=dt.UTC),
    )

    html = member_client.get(reverse("integrations:history", args=[connection.pk]), **NL).content.decode()

    for dutch in (
        "Synchronisatiegeschiedenis van Fake Company BV",
        "Elke import, de nieuwste eerst",
        "<th>Gestart</th>",
        "<th>Aanleiding</th>",
        "<th>Duur</th>",
        "Nu synchroniseren",
        "Gelukt",
        "1 min 5 s",
        "4 mrt 2025",
        "Boekingen:</span> +1.200 nieuw, 3 gewijzigd, 1 verwijderd",
        "Relaties:</span> 2 apart gezet",
        "Welke gegevens apart zijn gezet, en waarom",
        "<strong>Relatie 12 Jansen Bouw</strong>: Een bedrag erin is te groot om mee te rekenen.",
        # e-Boekhouden's own words (a reason Monitr did not write) stay as they are.
        "<strong>Mutatie 88 van 2025-03-04, factuur F-2025-7</strong>: Kept as the source has it.",
        'data-label="API-aanroepen">1.234<',
    ):
        assert dutch in html, dutch
    for english in (
        "Every import, newest first",
        "Started",
        "Trigger",
        "Sync now",
        "Succeeded",
        "+1,200 new",
        "Relation 12",
        "too large to calculate",
    ):
        assert english not in html, english


def test_what_a_sync_stored_in_english_is_shown_in_dutch(member_client, connection):
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.WAITING, status_message=FIRST_IMPORT_SOON
    )
    waiting = member_client.get(reverse("integrations:connection_status", args=[connection.pk]), **NL)
    SyncRun.objects.create(
        connection=connection,
        administration=connection.administration,
        trigger="schedule",
        status="failed",
        finished_at=timezone.now(),
        error_message=INTERRUPTED,
    )
    SyncRun.objects.create(
        connection=connection,
        administration=connection.administration,
        trigger="connect",
        status="failed",
        finished_at=timezone.now(),
        error_message="e-Boekhouden refused the request: Ongeldige invoer (MUT_001)",
    )

    history = member_client.get(reverse("integrations:history", args=[connection.pk]), **NL).content.decode()

    assert "De eerste import start zo." in waiting.content.decode()
    assert "In de wachtrij" in waiting.content.decode()
    assert "De import is gestopt voordat die klaar was" in history
    assert "e-Boekhouden heeft het verzoek geweigerd: Ongeldige invoer (MUT_001)" in history
    assert "Planning" in history and "Eerste synchronisatie na het verbinden" in history and "Mislukt" in history
    assert INTERRUPTED not in history and "refused the request" not in history


def test_english_stays_english(member_client, connection):
    Connection.objects.filter(pk=connection.pk).update(
        status=ConnectionStatus.WAITING, status_message=FIRST_IMPORT_SOON
    )

    html = member_client.get(reverse("integrations:category", args=["accounting"])).content.decode()

    assert "The first import starts in a moment." in html and "Waiting" in html and "Integrations" in html
    assert "Koppelingen" not in html
