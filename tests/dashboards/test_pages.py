"""The Outstanding Items pages: what they show, who may see them, and that nobody sees another organisation's."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dashboards.models import OutstandingSettings
from monitr.web.templatetags.monitr_ui import money
from tests.factories import MembershipFactory

from . import expected
from .factories import PAYABLE, RECEIVABLE, Books, item, random_items, with_credits

pytestmark = pytest.mark.django_db

PAGE = reverse("dashboards:outstanding")
ITEMS = reverse("dashboards:outstanding_items")
RELATIONS = ["rel-1", "rel-2", "rel-3", None]


@pytest.fixture
def receivables(books, today):
    items = random_items(seed=5, count=60, today=today, relations=RELATIONS, without_due=3)
    books.open_items(RECEIVABLE, items)
    return items


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class TestDashboard:
    def test_shows_the_totals_buckets_and_relations_of_the_imported_items(self, member_client, receivables, today):
        response = member_client.get(PAGE)

        figures = expected.aging(receivables, as_of=today)
        page = html(response)
        aging = response.context["aging"]
        assert (aging.total, aging.overdue) == (figures["total"], figures["overdue"])
        assert [b.amount for b in aging.buckets] == figures["amounts"]
        assert money(figures["total"]) in page
        assert money(figures["overdue"]) in page
        assert "Not yet due" in page and "Over 90 days" in page
        assert {r["relation_name"] for r in response.context["relations"]} == {
            "Alpha BV",
            "Beta & Zonen",
            "Gamma NV",
            None,
        }

    def test_the_payables_tab_shows_the_payables(self, member_client, books, receivables, today):
        payables = random_items(seed=6, count=10, today=today, relations=["rel-1"], prefix="p")
        books.open_items(PAYABLE, payables)

        response = member_client.get(PAGE, {"side": "payable"})

        page = html(response)
        assert response.context["aging"].total == expected.aging(payables, as_of=today)["total"]
        assert "Top creditors" in page and "DPO" in page
        assert 'aria-current="page">Payables</a>' in page

    def test_counts_the_items_without_a_due_date_and_links_to_them(self, member_client, receivables):
        page = html(member_client.get(PAGE))

        assert "3 items have no due date; aged by invoice date." in page
        assert f"{ITEMS}?side=receivable&amp;no_due_date=1" in page

    def test_the_saved_settings_set_the_buckets_and_the_basis(self, member_client, organization, receivables, today):
        OutstandingSettings.objects.create(organization=organization, boundaries=[15, 45], basis="invoice")

        response = member_client.get(PAGE)

        labels = [b.bucket.label for b in response.context["aging"].buckets]
        assert labels == ["0–15 days", "16–45 days", "Over 45 days"]
        figures = expected.aging(receivables, as_of=today, boundaries=[15, 45], basis="invoice")
        assert [b.amount for b in response.context["aging"].buckets] == figures["amounts"]

    def test_the_basis_can_be_switched_on_the_page(self, member_client, receivables, today):
        response = member_client.get(PAGE, {"basis": "invoice"})

        figures = expected.aging(receivables, as_of=today, basis="invoice")
        assert [b.amount for b in response.context["aging"].buckets] == figures["amounts"]

    def test_dso_with_its_formula(self, member_client, books, today):
        books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today, total="1500.00")])
        books.invoice("s1", side=RECEIVABLE, day=today - timedelta(days=5), amount="4500.00")

        page = html(member_client.get(PAGE))

        assert "30 days" in page  # 1500 / 4500 × 90
        assert "÷" in page and "× 90" in page
        assert "credit notes deducted" in page

    def test_the_check_badge_shows_the_difference_and_explains_it(self, member_client, books, receivables, today):
        books.check(side=RECEIVABLE, day=today, expected="1000.00", actual="1250.50")

        page = html(member_client.get(PAGE))

        assert 'href="#check"' in page and "Check: +€250.50" in page
        assert 'id="check"' in page

    def test_no_badge_when_the_check_matches(self, member_client, books, receivables, today):
        books.check(side=RECEIVABLE, day=today, expected="10.00", actual="10.00")

        page = html(member_client.get(PAGE))

        assert "Check:" not in page and "matches" in page

    def test_the_last_import_is_shown_or_never(self, member_client, books, receivables):
        from datetime import datetime
        from zoneinfo import ZoneInfo

        never = html(member_client.get(PAGE))
        books.administration.last_imported_at = datetime(2025, 3, 4, 5, 6, tzinfo=ZoneInfo("Europe/Amsterdam"))
        books.administration.save(update_fields=["last_imported_at"])
        imported = html(member_client.get(PAGE))

        assert "Last import: never" in never
        assert "Last import <time" in imported and "4 Mar 2025 05:06" in imported

    def test_relation_names_are_escaped(self, member_client, books, today):
        books.relations("<script>alert(1)</script>", prefix="evil")
        books.open_items(RECEIVABLE, [item("1", relation="evil-1", invoiced=today, due=today)])

        page = html(member_client.get(PAGE))

        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_the_chart_data_goes_through_json_script(self, member_client, receivables):
        page = html(member_client.get(PAGE))

        assert '<script id="outstanding-chart-data" type="application/json">' in page
        assert "vendor/chartjs/chart.umd.min.js" in page

    def test_a_future_day_is_refused_with_a_message_and_today_shown(self, member_client, receivables, today):
        response = member_client.get(PAGE, {"as_of": (today + timedelta(days=3)).isoformat()})

        assert "Open items are known up to today" in html(response)
        assert response.context["scope"].as_of == today

    @pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31"])
    def test_a_day_before_2000_is_refused_with_a_message_and_today_shown(self, member_client, receivables, today, day):
        response = member_client.get(PAGE, {"as_of": day})

        assert response.status_code == 200
        assert "Open items are known from 2000-01-01 on" in html(response)
        assert response.context["scope"].as_of == today

    @pytest.mark.parametrize("table", ["relations", "items"])
    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    def test_an_export_of_the_first_day_there_is_exports_today(
        self, member_client, receivables, today, table, file_format
    ):
        # 0001-01-01 minus the widest aging bucket is no date: the export falls back to today, as the page does.
        response = member_client.get(
            reverse("dashboards:outstanding_export", args=[table, file_format]), {"as_of": "0001-01-01"}
        )

        assert response.status_code == 200
        assert today.isoformat() in response["Content-Disposition"]


class TestAsOf:
    def test_a_past_day_shows_its_snapshot(self, member_client, books, today):
        then = today - timedelta(days=12)
        old = random_items(seed=15, count=30, today=then, relations=RELATIONS)
        books.open_items(RECEIVABLE, old)
        books.snapshot(then)
        books.open_items(RECEIVABLE, [item("new", invoiced=today, due=today)])

        response = member_client.get(PAGE, {"as_of": then.isoformat()})

        page = html(response)
        assert response.context["aging"].total == expected.aging(old, as_of=then)["total"]
        assert [b.amount for b in response.context["aging"].buckets] == expected.aging(old, as_of=then)["amounts"]
        assert "From the daily snapshot" in page

    def test_a_day_without_a_snapshot_says_so_plainly_and_offers_the_nearest(self, member_client, books, today):
        books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today)])
        books.snapshot(today - timedelta(days=9))
        asked = today - timedelta(days=4)

        page = html(member_client.get(PAGE, {"as_of": asked.isoformat()}))

        first = today - timedelta(days=9)
        assert f"No snapshot for {asked.day} {asked:%B %Y}" in page
        assert f"Monitr keeps one per day from the first import on ({first.day} {first:%B %Y})." in page
        assert f"as_of={first.isoformat()}" in page
        assert "Total outstanding" not in page  # no zeros pretending to be figures

    def test_the_change_since_thirty_days_ago(self, member_client, books, today):
        books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today, total="400.00")])
        books.snapshot(today - timedelta(days=30))
        books.open_items(RECEIVABLE, [item("1", invoiced=today, due=today, total="1000.00")])

        response = member_client.get(PAGE)

        assert response.context["change"] == Decimal("600.00")
        assert "+€600.00" in html(response)

    def test_without_a_snapshot_thirty_days_ago_the_change_is_not_guessed(self, member_client, receivables, today):
        page = html(member_client.get(PAGE))

        then = today - timedelta(days=30)
        assert f"No snapshot of {then.day} {then:%b %Y} to compare with." in page


class TestRelationTable:
    @pytest.fixture
    def many(self, books, today):
        names = [f"Klant {n:02d}" for n in range(1, 31)]
        books.relations(*names, prefix="k")
        books.open_items(
            RECEIVABLE,
            [item(f"k{n}", relation=f"k-{n}", invoiced=today, due=today, total=f"{n}00.00") for n in range(1, 31)],
        )

    def test_pages_of_twenty_five(self, member_client, many):
        first = member_client.get(PAGE)
        second = member_client.get(PAGE, {"page": 2})

        assert [r["relation_name"] for r in first.context["relations"]][:2] == ["Klant 30", "Klant 29"]
        assert len(first.context["relations"]) == 25
        assert [r["relation_name"] for r in second.context["relations"]] == [f"Klant {n:02d}" for n in range(5, 0, -1)]
        assert "26–30 of 30 relations" in html(second)

    def test_sorting_and_searching_keep_each_other(self, member_client, many):
        response = member_client.get(PAGE, {"sort": "name", "q": "klant 1"})

        page = html(response)
        assert [r["relation_name"] for r in response.context["relations"]] == [f"Klant {n}" for n in range(10, 20)]
        assert "q=klant+1&amp;sort=-name" in page  # clicking Relation again sorts the other way, same search

    def test_htmx_gets_only_the_table(self, member_client, many):
        response = member_client.get(PAGE, {"sort": "-items"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="relations")

        page = html(response)
        assert page.lstrip().startswith('<div id="relations"')
        assert "<html" not in page

    def test_a_search_that_finds_nothing_says_so(self, member_client, many):
        assert "No customers match “nobody”." in html(member_client.get(PAGE, {"q": "nobody"}))

    @pytest.mark.parametrize(("side", "word"), [("receivable", "customers"), ("payable", "suppliers")])
    def test_the_live_search_names_the_relations_of_its_own_side(self, member_client, many, side, word):
        table = member_client.get(
            PAGE, {"q": "nobody", "side": side}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="relations"
        )

        assert f"No {word} match “nobody”." in html(table)


class TestDrillDown:
    def test_a_relation_opens_its_invoices_with_a_link_back(self, member_client, books, receivables, today):
        relation = books.relation("rel-1")

        response = member_client.get(ITEMS, {"relation": relation.pk, "side": "receivable"})

        page = html(response)
        mine = [i for i in receivables if i.relation_external_id == "rel-1"]
        assert {i.external_id for i in response.context["items"]} == {i.external_id for i in mine}
        assert response.context["summary"]["total"] == sum((i.outstanding for i in mine), Decimal(0))
        assert "<h1>Alpha BV</h1>" in page
        assert f'href="{PAGE}?side=receivable"' in page
        for heading in ("Invoice", "Invoice date", "Due date", "Days overdue", "Total", "Paid", "Outstanding"):
            assert f">{heading}<" in page

    def test_days_overdue_are_counted_to_the_day_shown(self, member_client, books, today):
        books.open_items(RECEIVABLE, [item("1", invoiced=today - timedelta(days=50), due=today - timedelta(days=20))])

        page = html(member_client.get(ITEMS, {"relation": books.relation("rel-1").pk}))

        assert '<span class="badge badge-neutral">20</span>' in page

    def test_items_without_a_relation(self, member_client, receivables):
        response = member_client.get(ITEMS, {"relation": "none"})

        assert {i.external_id for i in response.context["items"]} == {
            i.external_id for i in receivables if i.relation_external_id is None
        }

    def test_another_organisations_relation_is_not_found(self, member_client, books, other_books):
        stranger = other_books.relation("rel-1")

        assert member_client.get(ITEMS, {"relation": stranger.pk}).status_code == 404
        assert member_client.get(ITEMS, {"relation": "x1"}).status_code == 404

    @pytest.mark.parametrize("relation", ["²", "١", ["1", "²"]])
    def test_a_relation_in_other_digits_is_not_found(self, member_client, books, relation):
        # "²".isdigit() is true, but int("²") fails; Arabic-Indic digits are no id either.
        assert member_client.get(ITEMS, {"relation": relation}).status_code == 404
        url = reverse("dashboards:outstanding_export", args=["items", "csv"])
        assert member_client.get(url, {"relation": relation}).status_code == 404


class TestCredits:
    """A credit note 988 days old is a credit on every part of the page, never "988 days overdue"."""

    @pytest.fixture
    def credit_note(self, books, today):
        books.open_items(RECEIVABLE, with_credits(today))

    def test_the_dashboard_shows_credits_apart_from_the_buckets(self, member_client, credit_note):
        response = member_client.get(PAGE)

        page = html(response)
        aging = response.context["aging"]
        assert (aging.total, aging.overdue, aging.credit) == (Decimal("-180.00"), Decimal("100.00"), -280)
        assert '<tr data-bucket="credit"' in page
        assert f'data-figure="credit">{money(Decimal("-280.00"))}<' in page
        assert "988" not in page
        assert "credit only" in page  # Beta & Zonen has only an unapplied payment open

    def test_the_relation_table_has_a_credit_column_and_no_overdue_for_credits(self, member_client, credit_note):
        rows = {r["relation_name"]: r for r in member_client.get(PAGE).context["relations"]}

        assert (rows["Alpha BV"]["overdue"], rows["Alpha BV"]["credit"]) == (Decimal("100.00"), -30)
        assert (rows["Beta & Zonen"]["overdue"], rows["Beta & Zonen"]["total"]) == (0, Decimal("-250.00"))

    def test_the_drill_down_marks_a_credit_note_as_credit_not_overdue(self, member_client, books, credit_note):
        response = member_client.get(ITEMS, {"relation": books.relation("rel-1").pk})

        page = html(response)
        row = page.split('<td class="mono nowrap">CN-1')[1].split("</tr>")[0]  # its row (the note form names it too)
        assert "data-credit" in row and "988" not in row and "no due date" not in page
        assert response.context["summary"] == {
            "total": Decimal("70.00"),
            "overdue": Decimal("100.00"),
            "credit": Decimal("-30.00"),
            "count": 2,
        }

    def test_the_item_export_puts_a_credit_in_the_credit_bucket_without_days(self, member_client, credit_note):
        url = reverse("dashboards:outstanding_export", args=["items", "csv"])

        content = b"".join(member_client.get(url).streaming_content).decode("utf-8-sig")

        line = next(line for line in content.splitlines() if "CN-1" in line)
        assert ",,Credit," in line  # days overdue empty, then the bucket


class TestAccess:
    def test_members_can_read(self, member_client, receivables):
        assert member_client.get(PAGE).status_code == 200

    def test_only_admins_see_and_save_the_settings(self, member_client, admin_client, organization, receivables):
        assert "Aging settings" not in html(member_client.get(PAGE))
        assert "Aging settings" in html(admin_client.get(PAGE))

        refused = member_client.post(reverse("dashboards:outstanding_settings"), {"basis": "due", "boundaries": "7"})
        saved = admin_client.post(
            reverse("dashboards:outstanding_settings"),
            {"basis": "invoice", "boundaries": "14, 28", "next_query": "side=payable"},
        )

        assert refused.status_code == 403
        assert saved.status_code == 302 and saved.url == f"{PAGE}?side=payable"
        settings = OutstandingSettings.objects.get(organization=organization)
        assert (settings.basis, settings.boundaries) == ("invoice", [14, 28])

    # "²" and "٣" are digits to str.isdigit(); the first is no number to int() at all.
    @pytest.mark.parametrize("boundaries", ["60, 30", "0, 30", "a, b", "", "1,2,3,4,5,6,7", "30, 6²", "٣0, 60"])
    def test_bad_boundaries_are_refused_with_a_message_and_change_nothing(self, admin_client, organization, boundaries):
        response = admin_client.post(
            reverse("dashboards:outstanding_settings"), {"basis": "due", "boundaries": boundaries}, follow=True
        )

        assert "The aging settings were not saved" in html(response)
        assert not OutstandingSettings.objects.filter(organization=organization).exists()

    def test_anonymous_users_are_sent_to_sign_in(self, client, receivables):
        response = client.get(PAGE)

        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_a_user_without_an_organisation_is_refused(self, outsider):
        client = Client()
        client.force_login(outsider)

        assert client.get(PAGE).status_code == 403

    def test_another_organisations_administration_is_not_found(self, member_client, books, other_books):
        response = member_client.get(PAGE, {"administration": other_books.administration.pk})

        assert response.status_code == 404

    def test_another_organisations_data_never_appears(self, member_client, books, receivables, other_books, today):
        other_books.open_items(RECEIVABLE, [item("x", invoiced=today, due=today, total="777777.00")])
        other_books.invoice("x", side=RECEIVABLE, day=today, amount="5555.00")
        other_books.check(side=RECEIVABLE, day=today, expected="1.00", actual="2.00")

        page = html(member_client.get(PAGE))
        items = html(member_client.get(ITEMS, {"relation": "none"}))

        for text in ("Secret Customer BV", "777.777", "Other Books BV", "Check:"):
            assert text not in page
            assert text not in items


class TestAdministrations:
    def test_one_administration_needs_no_picker(self, member_client, receivables):
        page = html(member_client.get(PAGE))

        assert 'name="administration"' not in page

    def test_several_are_added_up_with_a_picker_that_marks_the_disconnected(
        self, member_client, organization, books, receivables, today
    ):
        from django.utils import timezone

        second = Books.create(organization, name="Old Books BV", disconnected_at=timezone.now())
        second.relations("Delta BV")
        more = [item("s1", invoiced=today, due=today, total="250.00")]
        second.open_items(RECEIVABLE, more)

        together = member_client.get(PAGE)
        alone = member_client.get(PAGE, {"administration": second.administration.pk})

        page = html(together)
        assert "All administrations" in page and "Old Books BV (disconnected)" in page
        assert together.context["aging"].total == expected.aging(receivables + more, as_of=today)["total"]
        assert alone.context["aging"].total == Decimal("250.00")
        # Each relation names its administration beneath it, not in a column of its own; one alone names none.
        assert "<span data-administration>Old Books BV</span>" in page and ">Administration</th>" not in page
        assert "data-administration" not in html(alone)

    def test_without_any_administration_the_page_says_how_to_connect(self, member_client, admin_client):
        member_page = html(member_client.get(PAGE))
        admin_page = html(admin_client.get(PAGE))

        assert "Connect your bookkeeping first" in admin_page
        assert reverse("integrations:index") in admin_page and "Go to Integrations" in admin_page
        assert "An admin of Acme BV can connect it" in member_page
        assert "€0.00" not in member_page

    @pytest.mark.parametrize(
        ("name", "section"),
        [
            ("dashboards:outstanding", "Dashboards"),
            ("dashboards:data_checks", "Manage"),
            ("dashboards:account_mapping", "Manage"),
        ],
    )
    def test_before_anything_is_connected_the_header_names_the_pages_section(self, admin_client, name, section):
        page = html(admin_client.get(reverse(name)))

        assert f'<div class="topbar-title">{section}</div>' in page

    def test_another_member_of_the_organisation_sees_the_same(self, organization, receivables, today):
        colleague = MembershipFactory(organization=organization).user
        client = Client()
        client.force_login(colleague)

        response = client.get(PAGE)

        assert response.context["aging"].total == expected.aging(receivables, as_of=today)["total"]


class TestParametersNotUnderstood:
    """A filter in the address that does not validate is named in a notice, and the page shows its default."""

    NOTICE = "Part of this page's address could not be used; the default is shown instead."

    @pytest.mark.parametrize(
        ("url", "params", "error"),
        [
            (PAGE, {"sort": "bogus"}, "Sort: Select a valid choice. bogus is not one of the available choices."),
            (PAGE, {"page": "0"}, "Page: Ensure this value is greater than or equal to 1."),
            (ITEMS, {"basis": "²"}, "Age by: Select a valid choice. ² is not one of the available choices."),
            (ITEMS, {"as_of": "0001-01-01"}, "As of: Open items are known from 2000-01-01 on; showing today."),
            (reverse("dashboards:pnl"), {"year": "²"}, "Year: Select a valid choice. ² is not one of the available"),
            (reverse("dashboards:overview"), {"month": "13"}, "Through: Select a valid choice. 13 is not one of"),
            (reverse("dashboards:transactions"), {"account": "²"}, "Account: Enter a whole number."),
        ],
    )
    def test_the_page_names_what_it_did_not_understand(self, member_client, receivables, url, params, error):
        page = html(member_client.get(url, params))

        assert self.NOTICE in page
        assert error in page

    def test_the_defaults_are_shown(self, member_client, receivables, today):
        outstanding = member_client.get(PAGE, {"sort": "bogus", "side": "sideways"})
        pnl = member_client.get(reverse("dashboards:pnl"), {"year": "²", "month": "²"})

        assert outstanding.context["form"].value("sort") == "-total"
        assert outstanding.context["scope"].side == "receivable"
        assert (pnl.context["scope"].year, pnl.context["scope"].month) == (today.year, today.month)

    def test_an_error_shown_at_its_field_is_not_repeated(self, member_client, receivables, today):
        page = html(member_client.get(PAGE, {"as_of": (today + timedelta(days=3)).isoformat()}))

        assert page.count("Open items are known up to today") == 1
        assert self.NOTICE not in page
