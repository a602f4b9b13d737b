"""The check of an upload, once: a large file in the worker with a page that shows how far it is, a small one in the
request; the outcome kept with the upload, so that the preview and Import neither check nor copy the file again."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.models import Connection
from ledgerfile import book, services
from ledgerfile.book import FIRST_LINES, check
from ledgerfile.models import CheckState, LedgerUpload, LedgerUploadPiece
from ledgerfile.outcome import CheckSummary
from ledgerfile.reading import Source
from ledgerfile.services import upload_check_run, upload_check_start

from .big import write_entries
from .test_web import DEFAULT_LAYOUT, OPEN_ITEMS, broken_journal, post_upload, sample_figures, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """Every file is checked in the worker, and the checks queued for it are kept here (none runs by itself)."""
    calls: list[tuple[int, str]] = []
    monkeypatch.setattr(services, "CHECK_IN_REQUEST_BYTES", 0)
    monkeypatch.setattr("ledgerfile.tasks.check_upload.delay", lambda *args: calls.append(args))
    return calls


@pytest.fixture
def enqueued(monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr("integrations.tasks.sync_connection.delay", lambda *args: calls.append(args))
    return calls


def run_queued(queued) -> None:
    """What the worker does with the checks queued."""
    while queued:
        upload_id, token = queued.pop(0)
        upload_check_run(upload_id=upload_id, token=token)


def stored(organization) -> LedgerUpload:
    """The default sample stored as an upload, not checked."""
    return services.upload_store(
        organization=organization,
        external_id=services.new_external_id(),
        administration_name="Acme books",
        journal=Source.from_path(DEFAULT_LAYOUT),
    )


def poll(client, url: str):
    return client.get(url, headers={"HX-Request": "true"})


def never_checked_again(monkeypatch) -> None:
    """From here on any check of a file fails the test."""

    def checked_again(*args, **kwargs):
        raise AssertionError("the file was checked again")

    monkeypatch.setattr(book.LedgerFile, "_check", checked_again)


class TestInTheWorker:
    def test_the_page_shows_the_check_running_then_leads_to_the_preview(
        self, admin_client, queued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_upload(admin_client, open_items=upload_file(OPEN_ITEMS))

        upload = LedgerUpload.objects.get()
        assert response.status_code == 302 and response.url.endswith(f"/add/{upload.pk}/check/")
        assert queued == [(upload.pk, upload.check_token)] and upload.check_state == CheckState.WAITING
        page = admin_client.get(response.url).content.decode()
        assert 'hx-trigger="every 1s"' in page and "Waiting for a free worker" in page
        assert 'role="progressbar"' in page and "ledger.csv" in page

        LedgerUpload.objects.filter(pk=upload.pk).update(
            check_state=CheckState.RUNNING, check_step="Checking every row", check_share=0.4
        )
        running = poll(admin_client, response.url).content.decode()
        assert 'aria-valuenow="40"' in running and "Checking every row: 40 %" in running
        assert "<html" not in running  # the status alone, for the page to swap in

        run_queued(queued)

        done = poll(admin_client, response.url)
        assert done.status_code == 200 and done.headers["HX-Redirect"] == response.url
        preview = admin_client.get(response.url)
        assert preview.status_code == 302 and preview.url.endswith(f"/add/{upload.pk}/preview/")
        html = admin_client.get(preview.url).content.decode()
        figure = dict(re.findall(r'data-figure="([\w-]+)">([^<]*)<', html))
        assert figure["entries"] == f"{sample_figures().entries:,}"

    def test_a_refused_file_shows_its_report_on_the_check_page(
        self, admin_client, queued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            check_url = post_upload(admin_client, journal=upload_file(DEFAULT_LAYOUT, data=broken_journal())).url
        run_queued(queued)

        page = admin_client.get(check_url).content.decode()

        assert "1 problem found. Nothing was imported." in page and "Entry 0002 does not balance" in page
        assert "hx-trigger" not in page and "Choose another file" in page
        assert admin_client.get(check_url.replace("/check/", "/preview/")).url == check_url  # no preview
        assert not Connection.objects.exists()

    def test_a_check_whose_worker_died_can_be_started_again(
        self, admin_client, queued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            check_url = post_upload(admin_client).url
        first = LedgerUpload.objects.get().check_token
        LedgerUpload.objects.update(
            check_state=CheckState.RUNNING, check_updated_at=timezone.now() - services.STALLED_AFTER * 2
        )

        page = admin_client.get(check_url).content.decode()
        assert page.count("The check stopped before it finished") == 1 and page.count("Check again") == 1
        assert "hx-trigger" not in page  # nothing to wait for
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(check_url, {"again": "1"})

        upload = LedgerUpload.objects.get()
        assert upload.check_state == CheckState.WAITING and upload.check_token != first
        assert [token for _, token in queued] == [first, upload.check_token]
        run_queued(queued)  # the dead check's message, delivered late, writes nothing; the new one passes
        assert LedgerUpload.objects.get().check_state == CheckState.PASSED

    def test_a_check_no_worker_takes_says_so_and_keeps_waiting(
        self, admin_client, queued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            check_url = post_upload(admin_client).url
        assert "No worker has started the check yet" not in admin_client.get(check_url).content.decode()
        LedgerUpload.objects.update(check_updated_at=timezone.now() - services.STALLED_AFTER * 2)

        page = admin_client.get(check_url).content.decode()

        assert page.count("No worker has started the check yet") == 1 and 'hx-trigger="every 1s"' in page
        run_queued(queued)  # a worker gets to it in the end
        assert admin_client.get(check_url).url.endswith("/preview/")

    def test_cancel_while_the_check_waits_deletes_the_upload(
        self, admin_client, queued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            check_url = post_upload(admin_client).url

        response = admin_client.post(check_url, {"cancel": "1"})
        run_queued(queued)

        assert response.status_code == 302 and not LedgerUpload.objects.exists()
        assert not LedgerUploadPiece.objects.exists()

    def test_the_preview_before_the_check_has_passed_sends_back_to_the_check(
        self, admin_client, queued, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            check_url = post_upload(admin_client).url

        assert admin_client.get(check_url.replace("/check/", "/preview/")).url == check_url
        assert admin_client.post(check_url.replace("/check/", "/preview/")).url == check_url  # no Import either
        assert not Connection.objects.exists()

    def test_without_the_queue_the_check_runs_in_the_request(
        self, admin_client, monkeypatch, django_capture_on_commit_callbacks
    ):
        from kombu.exceptions import OperationalError

        def unreachable(*args):
            raise OperationalError("Connection refused")

        monkeypatch.setattr(services, "CHECK_IN_REQUEST_BYTES", 0)
        monkeypatch.setattr("ledgerfile.tasks.check_upload.delay", unreachable)

        with django_capture_on_commit_callbacks(execute=True):
            check_url = post_upload(admin_client).url

        assert LedgerUpload.objects.get().check_state == CheckState.PASSED
        assert admin_client.get(check_url).url.endswith("/preview/")


class TestCheckedOnce:
    def test_preview_and_import_neither_check_nor_copy_the_file_again(
        self, admin_client, organization, enqueued, monkeypatch, django_capture_on_commit_callbacks
    ):
        preview = post_upload(admin_client, open_items=upload_file(OPEN_ITEMS)).url
        upload = LedgerUpload.objects.get()
        pieces = sorted(LedgerUploadPiece.objects.values_list("pk", flat=True))
        never_checked_again(monkeypatch)

        html = admin_client.get(preview).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            done = admin_client.post(preview)

        assert "Balanced" in html and done.status_code == 302
        connection = Connection.objects.get()
        assert connection.administration.external_id == upload.external_id
        assert list(LedgerUpload.objects.values_list("pk", flat=True)) == [upload.pk]  # the upload itself, kept
        assert sorted(LedgerUploadPiece.objects.values_list("pk", flat=True)) == pieces
        assert enqueued == [(connection.pk, "connect", False)]

    def test_a_corrected_file_becomes_the_administrations_latest_as_it_is(
        self, admin_client, organization, enqueued, monkeypatch, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(post_upload(admin_client).url)
        connection = Connection.objects.get()
        first = LedgerUpload.objects.get()
        replace = reverse("ledgerfile:replace", args=[connection.pk])
        corrected = upload_file(DEFAULT_LAYOUT, name="ledger-corrected.csv")
        preview = post_upload(admin_client, replace, journal=corrected, name=None).url
        pending = LedgerUpload.objects.exclude(pk=first.pk).get()
        pieces = LedgerUploadPiece.objects.count()
        never_checked_again(monkeypatch)

        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(preview)

        latest = services.upload_latest(organization=organization, external_id=connection.administration.external_id)
        assert latest.pk == pending.pk and latest.administration_name == connection.administration.name
        assert latest.uploaded_at > first.uploaded_at
        assert LedgerUpload.objects.count() == 2 and LedgerUploadPiece.objects.count() == pieces
        assert len(enqueued) == 2
        card = admin_client.get(reverse("integrations:category", args=["accounting"])).content.decode()
        assert "ledger-corrected.csv uploaded" in card and "ledger.csv uploaded" not in card

    def test_an_upload_whose_check_did_not_pass_is_not_connected(self, organization, enqueued):
        upload = stored(organization)

        with pytest.raises(services.FileRefused, match="has not been checked yet"):
            services.ledger_file_connect(organization=organization, upload=upload)

        upload_check_start(upload)
        connection = services.ledger_file_connect(organization=organization, upload=upload)
        assert connection.administration.external_id == upload.external_id

    def test_another_organisations_upload_is_not_connected(self, organization, other_organization, enqueued):
        upload = upload_check_start(stored(other_organization))

        with pytest.raises(services.ConnectionRefused):
            services.ledger_file_connect(organization=organization, upload=upload)
        assert not Connection.objects.exists()


class TestProgressAndSummary:
    def test_progress_rises_through_the_steps_and_ends_below_the_whole(self, tmp_path):
        path = tmp_path / "spread.csv"
        write_entries(path, 3_000)
        # An entry's two rows far apart, as in a general ledger sorted by account: the check regroups it.
        header, *rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
        path.write_text(header + "".join(rows[0::2] + rows[1::2]), encoding="utf-8")
        told: list[tuple[str, float]] = []

        checked = check(path, progress=lambda step, share: told.append((step, share)))

        assert checked.ok, checked.report.text()
        shares = [share for _, share in told]
        assert shares == sorted(shares) and 0 < shares[-1] < 1
        steps = list(dict.fromkeys(step for step, _ in told))
        assert steps == ["Reading the file", "Checking every row", "Checking the entries spread over the file"]
        assert max(shares) > 0.9

    def test_the_summary_keeps_the_first_lines_as_the_file_has_them(self, tmp_path):
        path = tmp_path / "ledger.csv"
        write_entries(path, 50)

        summary = check(path).summary

        assert len(summary.first_lines) == FIRST_LINES
        assert [line.row for line in summary.first_lines] == list(range(2, 2 + FIRST_LINES))
        assert summary.first_lines[0].entry == "E0" and summary.first_lines[0].amount == Decimal("10.00")

    def test_the_stored_summary_reads_back_as_it_was(self):
        summary = check(Source.from_path(DEFAULT_LAYOUT), Source.from_path(OPEN_ITEMS)).summary

        stored = CheckSummary.of(summary)

        assert CheckSummary.from_data(stored.as_data()) == stored
        assert stored.entries == sample_figures().entries and stored.accounts == len(summary.accounts)
        assert [t.side for t in stored.open_item_totals] == ["receivable", "payable"]
        first = stored.first_lines[0]
        assert first.account_name == summary.accounts[first.account_code].name
        assert (first.debit, first.credit) != (None, None)

    def test_a_check_that_is_no_longer_the_latest_writes_nothing(self, organization):
        upload = stored(organization)
        LedgerUpload.objects.filter(pk=upload.pk).update(check_token="newer", check_state=CheckState.WAITING)

        upload_check_run(upload_id=upload.pk, token="older")

        upload.refresh_from_db()
        assert upload.check_state == CheckState.WAITING and upload.summary is None

    def test_an_unexpected_error_stops_the_check_with_a_message(self, organization, monkeypatch):
        upload = stored(organization)
        monkeypatch.setattr(services, "check", lambda *args, **kwargs: 1 / 0)

        upload = upload_check_start(upload)

        assert upload.check_state == CheckState.FAILED
        assert upload.report["problems"][0][3] == services.UNEXPECTED
        assert upload.check_updated_at > timezone.now() - dt.timedelta(minutes=1)
