"""Notes and follow-ups on a relation and on its open items: written on the relation's drill-down by any member,
edited and deleted by their author or an admin, found again after a sync rebuilds the open items, listed as due on
the Outstanding Items page, in the relation table and its export, and in the read API; never another
organisation's."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from dashboards.models import RelationNote
from dashboards.note_services import note_create, note_follow_up_done
from dashboards.selectors.notes import follow_ups_due, next_follow_ups
from tests.factories import MembershipFactory

from .factories import PAYABLE, RECEIVABLE, item

pytestmark = pytest.mark.django_db


def drill_down(relation, side: str = RECEIVABLE) -> str:
    query = urlencode({"administration": relation.administration_id, "relation": relation.pk, "side": side})
    return f"{reverse('dashboards:outstanding_items')}?{query}"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alpha(books, today):
    """Alpha BV with two open invoices today: F-100 (overdue) and F-200."""
    books.open_items(
        RECEIVABLE,
        [
            item("a1", relation="rel-1", invoiced=today - timedelta(days=60), due=today - timedelta(days=30),
                 total="500.00", invoice_number="F-100"),
            item("a2", relation="rel-1", invoiced=today - timedelta(days=5), due=today + timedelta(days=25),
                 total="250.00", invoice_number="F-200"),
            item("b1", relation="rel-2", invoiced=today - timedelta(days=10), due=today + timedelta(days=20),
                 total="90.00", invoice_number="B-1"),
        ],
    )  # fmt: skip
    return books.relation("rel-1")


def add(client: Client, relation, **fields):
    data = {"side": RECEIVABLE, "next_query": f"relation={relation.pk}", **{f"note-{k}": v for k, v in fields.items()}}
    return client.post(reverse("dashboards:note_add", args=[relation.pk]), data)


def write(relation, author, text="Called them.", side=RECEIVABLE, **fields) -> RelationNote:
    return note_create(relation=relation, side=side, author=author, text=text, **fields)


class TestWriting:
    def test_a_member_writes_a_note_with_a_follow_up_on_the_relation(self, member_client, member_user, alpha, today):
        response = add(member_client, alpha, text="Called Jan: pays next week.", follow_up_on=today.isoformat())

        assert response.status_code == 302
        assert response["Location"].endswith("#notes") and f"relation={alpha.pk}" in response["Location"]
        note = RelationNote.objects.get()
        assert (note.relation, note.side, note.text) == (alpha, RECEIVABLE, "Called Jan: pays next week.")
        assert (note.author, note.author_name, note.follow_up_on) == (member_user, member_user.display_name, today)
        assert not note.on_item
        page = member_client.get(drill_down(alpha)).content.decode()
        assert "Called Jan: pays next week." in page and "Follow up today" in page

    def test_a_note_on_an_open_item_names_it_by_its_invoice_number(self, member_client, alpha, today):
        add(member_client, alpha, item="invoice:F-100", text="Disputed.", promised_on=today.isoformat())

        note = RelationNote.objects.get()
        assert (note.invoice_number, note.item_external_id, note.promised_on) == ("F-100", "a1", today)
        page = member_client.get(drill_down(alpha)).content.decode()
        assert "On invoice" in page and "F-100" in page
        assert 'title="Notes on this invoice"' in page  # the invoice's row shows its note

    def test_the_form_starts_on_the_item_whose_row_links_to_it(self, member_client, alpha):
        page = member_client.get(drill_down(alpha) + "&note_item=invoice%3AF-200").content.decode()

        assert '<option value="invoice:F-200" selected>' in page
        assert "note_item=invoice%3AF-100#add-note" in page  # each open item's row links to the form

    def test_a_note_on_an_item_is_found_again_after_a_sync_rebuilds_the_items(
        self, member_client, member_user, books, alpha, today
    ):
        add(member_client, alpha, item="invoice:F-100", text="Disputed.")
        # The source lists the invoice under a new id: the old row is deleted, a new one written.
        books.open_items(
            RECEIVABLE,
            [item("new-id", relation="rel-1", invoiced=today - timedelta(days=60), due=today - timedelta(days=30),
                  total="500.00", invoice_number="F-100")],
        )  # fmt: skip

        page = member_client.get(drill_down(alpha)).content.decode()
        assert "Disputed." in page and 'title="Notes on this invoice"' in page
        assert "no longer open" not in page

    def test_a_note_on_an_invoice_since_paid_stays_on_the_relation(self, member_client, books, alpha):
        add(member_client, alpha, item="invoice:F-200", text="Promised by phone.")
        books.open_items(RECEIVABLE, [])  # everything paid

        page = member_client.get(drill_down(alpha)).content.decode()
        assert "Promised by phone." in page and "no longer open" in page

    def test_a_note_without_text_is_refused_and_nothing_is_saved(self, member_client, alpha):
        response = add(member_client, alpha, text="   ")

        assert response.status_code == 400
        assert "Write the note first." in response.content.decode()
        assert not RelationNote.objects.exists()

    @pytest.mark.parametrize(
        ("field", "days", "message"),
        [
            ("follow_up_on", -1, "A follow-up is today or later."),
            ("follow_up_on", 5 * 366 + 1, "Choose a day within five years from today."),
            ("promised_on", -367, "Choose a day within the last year or later."),
            ("promised_on", 5 * 366 + 1, "Choose a day within five years from today."),
        ],
    )
    def test_dates_out_of_reach_are_refused(self, member_client, alpha, today, field, days, message):
        response = add(member_client, alpha, text="A note.", **{field: (today + timedelta(days=days)).isoformat()})

        assert response.status_code == 400
        assert message in response.content.decode()
        assert not RelationNote.objects.exists()

    @pytest.mark.parametrize("value", ["31-02-2026", "9999-99-99", "²026-01-01"])
    def test_a_date_that_is_no_date_is_refused(self, member_client, alpha, value):
        response = add(member_client, alpha, text="A note.", follow_up_on=value)

        assert response.status_code == 400
        assert not RelationNote.objects.exists()

    def test_a_promise_made_earlier_may_be_noted(self, member_client, alpha, today):
        add(member_client, alpha, text="They promised last week.", promised_on=(today - timedelta(days=3)).isoformat())

        assert RelationNote.objects.get().promised_on == today - timedelta(days=3)

    def test_an_item_of_another_relation_is_refused(self, member_client, alpha):
        response = add(member_client, alpha, item="invoice:B-1", text="Wrong relation.")

        assert response.status_code == 400
        assert not RelationNote.objects.exists()

    def test_a_note_keeps_its_side(self, member_client, alpha):
        member_client.post(
            reverse("dashboards:note_add", args=[alpha.pk]), {"side": PAYABLE, "note-text": "About what we owe."}
        )

        assert RelationNote.objects.get().side == PAYABLE
        assert "About what we owe." not in member_client.get(drill_down(alpha)).content.decode()
        assert "About what we owe." in member_client.get(drill_down(alpha, PAYABLE)).content.decode()

    def test_a_side_that_is_none_is_a_bad_request(self, member_client, alpha):
        response = member_client.post(
            reverse("dashboards:note_add", args=[alpha.pk]), {"side": "both", "note-text": "x"}
        )

        assert response.status_code == 400
        assert not RelationNote.objects.exists()

    def test_the_text_is_escaped(self, member_client, alpha):
        add(member_client, alpha, text='<script>alert("note")</script>\nline two')

        page = member_client.get(drill_down(alpha)).content.decode()
        assert "<script>alert(" not in page and "&lt;script&gt;alert(" in page
        assert "<br>line two" in page


class TestChanging:
    def test_the_author_edits_their_note(self, member_client, member_user, alpha, today):
        note = write(alpha, member_user, follow_up_on=today)
        url = reverse("dashboards:note_edit", args=[note.pk])

        assert member_client.get(url).status_code == 200
        response = member_client.post(
            url, {"note-text": "Called again.", "note-promised_on": today.isoformat(), "next_query": "q=x"}
        )

        assert response.status_code == 302 and "q=x" in response["Location"]
        note.refresh_from_db()
        assert (note.text, note.follow_up_on, note.promised_on) == ("Called again.", None, today)
        assert note.edited_at is not None and note.author == member_user

    def test_a_past_follow_up_may_stay_when_the_text_is_edited(self, member_client, member_user, alpha, today):
        yesterday = today - timedelta(days=1)
        note = write(alpha, member_user, follow_up_on=yesterday)

        response = member_client.post(
            reverse("dashboards:note_edit", args=[note.pk]),
            {"note-text": "Still waiting.", "note-follow_up_on": yesterday.isoformat()},
        )

        assert response.status_code == 302
        note.refresh_from_db()
        assert (note.text, note.follow_up_on) == ("Still waiting.", yesterday)

    def test_an_edit_without_text_is_refused(self, member_client, member_user, alpha):
        note = write(alpha, member_user, text="Keep me.")

        response = member_client.post(reverse("dashboards:note_edit", args=[note.pk]), {"note-text": ""})

        assert response.status_code == 400
        note.refresh_from_db()
        assert note.text == "Keep me."

    def test_an_admin_edits_and_deletes_anyones_note(self, admin_client, member_user, alpha):
        note = write(alpha, member_user)

        admin_client.post(reverse("dashboards:note_edit", args=[note.pk]), {"note-text": "Corrected."})
        note.refresh_from_db()
        assert note.text == "Corrected." and note.author == member_user
        response = admin_client.post(reverse("dashboards:note_delete", args=[note.pk]))

        assert response.status_code == 302
        assert not RelationNote.objects.exists()

    def test_the_author_deletes_their_note(self, member_client, member_user, alpha):
        note = write(alpha, member_user)

        member_client.post(reverse("dashboards:note_delete", args=[note.pk]))

        assert not RelationNote.objects.exists()

    def test_another_member_can_neither_edit_nor_delete_a_note(self, organization, admin_user, alpha):
        note = write(alpha, admin_user, text="The admin's note.")
        other = signed_in(MembershipFactory(organization=organization, role="member").user)

        assert other.get(reverse("dashboards:note_edit", args=[note.pk])).status_code == 403
        edit = other.post(reverse("dashboards:note_edit", args=[note.pk]), {"note-text": "Overwritten."})
        delete = other.post(reverse("dashboards:note_delete", args=[note.pk]))

        assert (edit.status_code, delete.status_code) == (403, 403)
        note.refresh_from_db()
        assert note.text == "The admin's note."

    def test_the_drill_down_shows_edit_and_delete_only_to_who_may_use_them(
        self, organization, member_client, member_user, admin_user, alpha
    ):
        mine, theirs = write(alpha, member_user, text="Mine."), write(alpha, admin_user, text="Theirs.")

        page = member_client.get(drill_down(alpha)).content.decode()

        assert reverse("dashboards:note_edit", args=[mine.pk]) in page
        assert reverse("dashboards:note_delete", args=[mine.pk]) in page
        assert reverse("dashboards:note_edit", args=[theirs.pk]) not in page
        assert reverse("dashboards:note_delete", args=[theirs.pk]) not in page

    def test_any_member_marks_a_follow_up_done_and_open_again(self, organization, admin_user, alpha, today):
        note = write(alpha, admin_user, follow_up_on=today)
        colleague = MembershipFactory(organization=organization, role="member").user
        url = reverse("dashboards:note_done", args=[note.pk])

        signed_in(colleague).post(url, {"done": "1"})
        note.refresh_from_db()
        assert note.done_at is not None and note.done_by_name == colleague.display_name
        signed_in(colleague).post(url, {"done": "1"})  # sent twice: nothing more happens
        assert RelationNote.objects.get().done_at == note.done_at

        signed_in(colleague).post(url, {"done": "0"})
        note.refresh_from_db()
        assert note.done_at is None and note.done_by_name == ""

    @pytest.mark.parametrize("done", [None, "", "yes", "2"])
    def test_marking_done_says_which_way(self, member_client, member_user, alpha, today, done):
        note = write(alpha, member_user, follow_up_on=today)

        response = member_client.post(
            reverse("dashboards:note_done", args=[note.pk]), {} if done is None else {"done": done}
        )

        assert response.status_code == 400
        assert RelationNote.objects.get().done_at is None

    def test_a_note_without_a_follow_up_cannot_be_done(self, member_client, member_user, alpha):
        note = write(alpha, member_user)

        response = member_client.post(reverse("dashboards:note_done", args=[note.pk]), {"done": "1"})

        assert response.status_code == 400

    def test_moving_a_done_follow_up_to_another_day_opens_it_again(self, member_client, member_user, alpha, today):
        note = note_follow_up_done(note=write(alpha, member_user, follow_up_on=today), done=True, by=member_user)

        member_client.post(
            reverse("dashboards:note_edit", args=[note.pk]),
            {"note-text": "Again.", "note-follow_up_on": (today + timedelta(days=7)).isoformat()},
        )

        assert RelationNote.objects.get().done_at is None


class TestAuthors:
    def test_a_note_stays_when_its_author_leaves_and_shows_the_name_it_was_written_under(
        self, organization, member_client, admin_user, alpha
    ):
        leaver = MembershipFactory(
            organization=organization, role="member", user__first_name="Noor", user__last_name="Visser"
        )
        write(alpha, leaver.user, text="Written before leaving.")
        leaver.user.first_name = "Renamed"
        leaver.user.save()
        leaver.delete()

        page = member_client.get(drill_down(alpha)).content.decode()

        assert "Written before leaving." in page and "Noor Visser" in page and "Renamed" not in page
        assert "former member" in page

    def test_a_note_stays_when_its_authors_account_is_deleted(self, organization, member_client, alpha):
        leaver = MembershipFactory(
            organization=organization, role="member", user__first_name="Sam", user__last_name="Jong"
        )
        write(alpha, leaver.user, text="Still here.")
        leaver.user.delete()

        note = RelationNote.objects.get()
        assert note.author is None and note.author_name == "Sam Jong"
        page = member_client.get(drill_down(alpha)).content.decode()
        assert "Still here." in page and "Sam Jong" in page and "former member" in page

    def test_a_member_is_shown_by_their_name_now(self, member_client, member_user, alpha):
        write(alpha, member_user)
        member_user.first_name, member_user.last_name = "New", "Name"
        member_user.save()

        assert "New Name" in member_client.get(drill_down(alpha)).content.decode()


class TestFollowUpsDue:
    def test_due_are_the_open_follow_ups_of_the_day_and_before_most_overdue_first(
        self, organization, member_user, books, alpha, today
    ):
        beta = books.relation("rel-2")
        late = write(beta, member_user, text="Late.", follow_up_on=today - timedelta(days=3))
        promise = write(alpha, member_user, text="Promise.", promised_on=today - timedelta(days=1))
        due_today = write(alpha, member_user, text="Today.", follow_up_on=today, promised_on=today + timedelta(days=9))
        write(alpha, member_user, text="Later.", follow_up_on=today + timedelta(days=1))
        write(alpha, member_user, text="Plain note.")
        done = write(alpha, member_user, text="Done.", follow_up_on=today - timedelta(days=5))
        note_follow_up_done(note=done, done=True, by=member_user)
        write(alpha, member_user, text="Payables.", side=PAYABLE, follow_up_on=today)

        due = follow_ups_due(organization, today)

        assert [f.text for f in due] == ["Late.", "Promise.", "Today.", "Payables."]
        first = due[0]
        assert (first.note_id, first.relation_name, first.due_on, first.author) == (
            late.pk, "Beta & Zonen", today - timedelta(days=3), member_user.display_name
        )  # fmt: skip
        assert [f.is_promise for f in due[:3]] == [False, True, False]
        assert due[1].note_id == promise.pk and due[2].note_id == due_today.pk
        assert due[0].path.startswith(reverse("dashboards:outstanding_items")) and f"relation={beta.pk}" in due[0].path
        assert [f.text for f in follow_ups_due(organization=organization, day=today, side=PAYABLE)] == ["Payables."]

    def test_another_organisations_follow_ups_are_never_due(self, organization, other_books, outsider, today):
        MembershipFactory(organization=other_books.administration.organization, user=outsider)
        write(other_books.relation("rel-1"), outsider, follow_up_on=today)

        assert follow_ups_due(organization, today) == []
        assert len(follow_ups_due(other_books.administration.organization, today)) == 1

    def test_the_outstanding_page_lists_them_with_a_link_to_the_relation(
        self, member_client, member_user, alpha, today
    ):
        write(alpha, member_user, text="Ring them about F-100.", follow_up_on=today)

        page = member_client.get(reverse("dashboards:outstanding")).content.decode()

        assert "Follow-ups due" in page and "Ring them about F-100." in page
        assert f"relation={alpha.pk}&amp;side=receivable#notes" in page

    def test_the_outstanding_page_has_no_list_when_nothing_is_due(self, member_client, member_user, alpha, today):
        write(alpha, member_user, follow_up_on=today + timedelta(days=2))

        assert "Follow-ups due" not in member_client.get(reverse("dashboards:outstanding")).content.decode()

    def test_the_relation_table_shows_each_relations_next_follow_up(self, member_client, member_user, alpha, today):
        write(alpha, member_user, follow_up_on=today + timedelta(days=9))
        write(alpha, member_user, promised_on=today + timedelta(days=4))
        done = write(alpha, member_user, follow_up_on=today + timedelta(days=1))
        note_follow_up_done(note=done, done=True, by=member_user)

        page = member_client.get(reverse("dashboards:outstanding")).content.decode()

        assert f'data-next-follow-up="{(today + timedelta(days=4)).isoformat()}"' in page
        assert page.count("data-next-follow-up=") == 1  # Beta has none
        assert "promised" in page

    def test_next_follow_ups_takes_the_earlier_day_of_any_open_note(
        self, organization, member_user, books, alpha, today
    ):
        beta = books.relation("rel-2")
        write(alpha, member_user, follow_up_on=today + timedelta(days=3), promised_on=today + timedelta(days=8))
        write(alpha, member_user, promised_on=today + timedelta(days=5))
        write(beta, member_user, text="No dates.")

        found = next_follow_ups(organization=organization, side=RECEIVABLE, relation_ids=[alpha.pk, beta.pk, None])

        assert found.keys() == {alpha.pk}
        assert (found[alpha.pk].day, found[alpha.pk].promised) == (today + timedelta(days=3), False)

    def test_the_relations_export_has_the_next_follow_up(self, member_client, member_user, alpha, today):
        write(alpha, member_user, follow_up_on=today + timedelta(days=2))

        response = member_client.get(reverse("dashboards:outstanding_export", args=["relations", "csv"]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = {row["Relation"]: row for row in csv.DictReader(io.StringIO(text))}

        assert rows["Alpha BV"]["Next follow-up"] == (today + timedelta(days=2)).isoformat()
        assert rows["Beta & Zonen"]["Next follow-up"] == ""


class TestTenantIsolation:
    @pytest.fixture
    def secret_note(self, other_books, outsider, today):
        MembershipFactory(organization=other_books.administration.organization, user=outsider)
        return write(other_books.relation("rel-1"), outsider, text="Secret note.", follow_up_on=today)

    def test_another_organisations_note_is_not_found(self, admin_client, secret_note):
        for name, method in (
            ("note_edit", "get"),
            ("note_edit", "post"),
            ("note_delete", "post"),
            ("note_done", "post"),
        ):
            response = getattr(admin_client, method)(
                reverse(f"dashboards:{name}", args=[secret_note.pk]), {"done": "1"}
            )
            assert response.status_code == 404, name
        secret_note.refresh_from_db()
        assert secret_note.done_at is None and secret_note.text == "Secret note."

    def test_a_note_cannot_be_written_on_another_organisations_relation(self, admin_client, other_books):
        relation = other_books.relation("rel-1")

        response = admin_client.post(
            reverse("dashboards:note_add", args=[relation.pk]), {"side": RECEIVABLE, "note-text": "Sneaky."}
        )

        assert response.status_code == 404
        assert not RelationNote.objects.exists()

    def test_another_organisations_notes_show_nowhere(self, admin_client, alpha, secret_note):
        for url in (drill_down(alpha), reverse("dashboards:outstanding"), "/api/v1/outstanding-items/notes/"):
            assert "Secret note." not in admin_client.get(url).content.decode(), url


class TestApi:
    def test_lists_the_notes_of_a_relation(self, member_client, member_user, books, alpha, today):
        note = write(alpha, member_user, text="On F-100.", follow_up_on=today)
        write(books.relation("rel-2"), member_user, text="Beta's.")

        body = member_client.get("/api/v1/outstanding-items/notes/", {"relation": alpha.pk}).json()

        [row] = body["results"]
        assert row["id"] == note.pk and row["text"] == "On F-100." and row["relation"]["name"] == "Alpha BV"
        assert (row["side"], row["follow_up_on"], row["follow_up_due_on"]) == (
            "receivable",
            today.isoformat(),
            today.isoformat(),
        )
        assert (row["author"], row["author_is_member"], row["done_at"]) == (member_user.display_name, True, None)

    def test_filters_open_follow_ups(self, member_client, member_user, alpha, today):
        write(alpha, member_user, text="Open.", follow_up_on=today)
        write(alpha, member_user, text="Plain.")

        opened = member_client.get("/api/v1/outstanding-items/notes/", {"open": "true"}).json()["results"]
        others = member_client.get("/api/v1/outstanding-items/notes/", {"open": "false"}).json()["results"]

        assert [r["text"] for r in opened] == ["Open."] and [r["text"] for r in others] == ["Plain."]

    def test_another_organisations_relation_is_not_found(self, member_client, other_books):
        response = member_client.get("/api/v1/outstanding-items/notes/", {"relation": other_books.relation("rel-1").pk})

        assert response.status_code == 404

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_it_is_read_only(self, member_client, alpha, method):
        response = getattr(member_client, method)("/api/v1/outstanding-items/notes/", {"text": "x"})

        assert response.status_code in (403, 405)
        assert not RelationNote.objects.exists()
