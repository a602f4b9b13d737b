"""The strict Content-Security-Policy (monitr/web/csp.py) in a real browser: the pages with charts, bars, htmx
polling, the API docs (Swagger UI) and the transaction's Back link work, and Chromium reports no violation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from integrations.models import Connection, ConnectionStatus, Integration, SyncRun, SyncTrigger
from ledger.models import Transaction
from tests.dashboards.factories import PAYABLE, RECEIVABLE, Books, item
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def csp_user(db):
    today = timezone.localdate()
    organization = OrganizationFactory(name="Policy BV")
    membership = MembershipFactory(organization=organization, role="admin", user__email="csp@monitr.local")
    books = Books.create(organization, name="Policy Books BV")
    books.relations("Alpha BV", "<script>alert(1)</script> BV")
    books.invoice("s1", side=RECEIVABLE, day=today - timedelta(days=50), amount="1210.00")
    books.invoice("p1", side=PAYABLE, day=today - timedelta(days=20), amount="605.00", relation="rel-2")
    books.open_items(
        RECEIVABLE,
        [
            item("s1", relation="rel-1", invoiced=today - timedelta(days=50), due=today - timedelta(days=20)),
            item("s2", relation="rel-2", invoiced=today - timedelta(days=5), due=today + timedelta(days=25)),
        ],
    )
    integration = Integration.objects.create(organization=organization, provider_key="eboekhouden")
    connection = Connection.objects.create(
        integration=integration,
        administration=books.administration,
        credentials={"api_token": "x" * 20},
        credentials_hint="••••xxxx",
        status=ConnectionStatus.IN_PROGRESS,
        # The lease of the run that is importing (a run without one is shown as interrupted, without a bar).
        sync_lock="e2e-run",
        sync_lock_expires_at=timezone.now() + timedelta(hours=1),
    )
    SyncRun.objects.create(
        connection=connection,
        administration=books.administration,
        trigger=SyncTrigger.MANUAL,
        stream="mutations",
        progress_done=40,
        progress_total=100,
    )
    return membership.user


def violations_while(page: Page, visit) -> list[str]:
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if "Content Security Policy" in m.text else None)
    visit()
    page.wait_for_load_state("networkidle")
    return found


def test_the_pages_work_under_the_policy_without_a_violation(page: Page, csp_user):
    page.goto("/login/")
    page.get_by_label("E-mail address").fill(csp_user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("complementary", name="Main navigation")).to_be_visible()

    assert violations_while(page, lambda: page.goto("/dashboards/outstanding/")) == []
    expect(page.locator("#aging-chart")).to_be_visible()
    assert page.locator("#aging-chart").evaluate("el => Boolean(window.Chart && Chart.getChart(el))")  # drawn
    # The bars' widths came from data-width through script, not from a style attribute.
    assert page.locator(".top-bar span").first.evaluate("el => el.style.width") not in ("", "0%")

    assert violations_while(page, lambda: page.goto("/dashboards/overview/")) == []
    expect(page.locator("#overview-chart")).to_be_visible()
    assert page.locator("#overview-chart").evaluate("el => Boolean(window.Chart && Chart.getChart(el))")

    assert violations_while(page, lambda: page.goto("/integrations/accounting/")) == []
    assert page.locator(".progress span").evaluate("el => el.style.width") == "40%"

    assert violations_while(page, lambda: page.goto("/dashboards/checks/")) == []

    transaction = Transaction.objects.get(external_id="s1")
    page.goto("/dashboards/transactions/")
    assert violations_while(page, lambda: page.goto(f"/dashboards/transactions/{transaction.pk}/")) == []
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(re.compile(r"/dashboards/transactions/$"))  # back in the history

    assert violations_while(page, lambda: page.goto("/api/docs/")) == []
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("Monitr API")
