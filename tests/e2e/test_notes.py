"""Notes and follow-ups in a real browser: a member writes a note with a follow-up on one of a relation's invoices,
sees it on the relation's page, as the relation's next follow-up in the relation table and among the follow-ups due;
a colleague sees it without edit or delete controls and a forged delete is refused; an admin deletes it. The pages
are checked for their layout at a laptop's and a phone's width."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from dashboards.models import RelationNote
from tests.dashboards.factories import PAYABLE, RECEIVABLE, Books, item, random_items
from tests.e2e.test_layout import LAYOUT_PROBLEMS, WHOLE_TABLES
from tests.e2e.test_outstanding_items import sign_in
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1366, 390)


@pytest.fixture
def team(db):
    """Demo BV's books, its admin and two members."""
    today = timezone.localdate()
    organization = OrganizationFactory(name="Demo BV")
    admin = MembershipFactory(organization=organization, role="admin", user__email="admin@monitr.local").user
    writer = MembershipFactory(
        organization=organization,
        role="member",
        user__email="noor@monitr.local",
        user__first_name="Noor",
        user__last_name="Visser",
    ).user
    colleague = MembershipFactory(organization=organization, role="member", user__email="sam@monitr.local").user
    books = Books.create(organization, name="Demo Trading BV")
    names = ["Bakkerij de Vries", "Jansen Installatie", "Van Dijk Logistiek", "Smit Design", "Hoek & Zonen"]
    books.relations(*names)
    relations = [f"rel-{n}" for n in range(1, len(names) + 1)]
    books.open_items(
        RECEIVABLE,
        [
            *random_items(seed=7, count=30, today=today, relations=relations),
            item(
                "big",
                relation="rel-1",
                invoiced=today - timedelta(days=80),
                due=today - timedelta(days=50),
                total="8450.00",
                invoice_number="2025-0142",
            ),
        ],
    )
    books.open_items(PAYABLE, random_items(seed=8, count=10, today=today, relations=relations))
    return {"admin": admin, "writer": writer, "colleague": colleague, "relation": books.relation("rel-1")}


def layout_is_fine(page: Page, *, whole_tables: bool = False) -> None:
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    if whole_tables:
        assert page.evaluate(WHOLE_TABLES) == []


def test_a_member_writes_a_follow_up_a_colleague_cannot_change_it_and_an_admin_deletes_it(
    page: Page, browser: Browser, team, live_server
):
    today = timezone.localdate()
    relation = team["relation"]

    # The member writes a note on an overdue invoice, from that invoice's row.
    sign_in(page, team["writer"].email)
    page.goto("/dashboards/outstanding/")
    page.locator("#relations").get_by_role("link", name="Bakkerij de Vries").click()
    expect(page.get_by_role("heading", name="Bakkerij de Vries")).to_be_visible()
    expect(page.get_by_text("No notes yet.")).to_be_visible()
    page.get_by_role("link", name="Add a note on invoice 2025-0142").click()
    expect(page.get_by_label("About", exact=True)).to_have_value("invoice:2025-0142")
    page.get_by_label("Note", exact=True).fill("Called Bakkerij de Vries: the invoice is approved, they pay on Friday.")
    page.get_by_label("Follow up on", exact=True).fill(today.isoformat())
    page.get_by_label("Promised to pay on", exact=True).fill((today + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save note").click()

    expect(page.get_by_text("Note saved.")).to_be_visible()
    note = page.locator("#notes .note").first
    expect(note).to_contain_text("they pay on Friday")
    expect(note).to_contain_text("Noor Visser")
    expect(note).to_contain_text("2025-0142")
    expect(note.get_by_text("Follow up today")).to_be_visible()
    expect(note.get_by_role("link", name="Edit")).to_be_visible()
    expect(page.locator(".items-table").get_by_title("Notes on this invoice")).to_have_count(1)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()  # laid out (and its charts drawn) at this width from the start
        layout_is_fine(page)
        page.screenshot(path=f"test-results/notes-drill-down-{width}.png", full_page=True)

    # The relation table shows it as the relation's next follow-up; the page lists it as due.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/dashboards/outstanding/")
    row = page.locator("#relations tbody tr", has_text="Bakkerij de Vries")
    shown = row.locator(f'[data-next-follow-up="{today.isoformat()}"]')
    expect(shown).to_have_text(f"{today.day} {today:%b}")
    expect(shown).to_have_attribute("title", f"Follow up on {today.day} {today:%b %Y}")
    expect(shown).to_have_class(re.compile(r"\bdue\b"))
    due = page.locator("[data-follow-ups-due]")
    expect(due.get_by_role("heading", name="Follow-ups due")).to_be_visible()
    expect(due).to_contain_text("they pay on Friday")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        layout_is_fine(page, whole_tables=width > 1000)
        page.screenshot(path=f"test-results/notes-follow-ups-due-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    due.get_by_role("link", name="Bakkerij de Vries").click()
    expect(page).to_have_url(re.compile(rf"relation={relation.pk}.*#notes$"))

    # A colleague sees the note but may not change it: no controls, and a forged delete is refused.
    colleague = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    sign_in(colleague, team["colleague"].email)
    colleague.goto(f"/dashboards/outstanding/items/?relation={relation.pk}")
    theirs = colleague.locator("#notes .note").first
    expect(theirs).to_contain_text("they pay on Friday")
    expect(theirs.get_by_role("link", name="Edit")).to_have_count(0)
    expect(theirs.get_by_role("button", name="Delete")).to_have_count(0)
    expect(theirs.get_by_role("button", name="Mark done")).to_be_visible()  # follow-ups are the team's
    token = colleague.locator("#add-note input[name=csrfmiddlewaretoken]").input_value()
    note_id = RelationNote.objects.get().pk
    forged = colleague.request.post(
        f"/dashboards/outstanding/notes/{note_id}/delete/",
        form={"csrfmiddlewaretoken": token},
        headers={"Referer": colleague.url},
    )
    assert forged.status == 403
    edit = colleague.request.get(f"/dashboards/outstanding/notes/{note_id}/")
    assert edit.status == 403
    assert RelationNote.objects.filter(pk=note_id).exists()
    colleague.close()

    # The admin deletes it.
    admin = browser.new_page(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    sign_in(admin, team["admin"].email)
    admin.goto(f"/dashboards/outstanding/items/?relation={relation.pk}")
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.locator("#notes .note").first.get_by_role("button", name="Delete").click()
    expect(admin.get_by_text("Note deleted.")).to_be_visible()
    expect(admin.locator("#notes .note")).to_have_count(0)
    assert not RelationNote.objects.exists()
    admin.goto("/dashboards/outstanding/")
    expect(admin.locator("[data-follow-ups-due]")).to_have_count(0)
    expect(admin.locator("#relations [data-next-follow-up]")).to_have_count(0)
    admin.close()
