"""Every page, in a real Chromium, at a laptop's width (1366×900) and a phone's (390×844), in English and in Dutch
(the browser's language): before anything is connected, with books, and during a first import (stopped while the open
items are coming, and while the transactions are). The pages are the sidebar's links and, one of each kind, the pages
those link to, so a new page is covered by itself.

A page fails when it is wider than the window; when a table is wider than its box without scrolling in it (a cut
column) or, at a laptop's width, when a dashboard's statement, aging or relations table has to scroll at all; when a
form control sticks out of its card's padding; when it has no single <h1> or shares its <h1> or <title> with another
page; or when the header's menu button (on a phone) does not open the sidebar or Escape does not close it. During a
first import, every dashboard says it is running and what is still coming, and shows nothing as if the import were
done; a figure shown then that differs from the end result is marked. In Dutch, a page fails on English it shows: a
text, title or label that is one of Monitr's English strings, or that reads as an English sentence.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import polib
import pytest
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import connections
from django.urls import resolve
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import Page, expect

from eboekhouden.sandbox.server import Sandbox, SandboxConfig
from integrations.sync.engine import sync_run_execute
from tests.connections import connect
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

VIEWPORTS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
# Not pages to look at: files, the API, signing out.
SKIPPED = re.compile(r"\.(csv|xlsx)$|^/api/|^/logout/|^/static/|^/admin/")

# Run in the page: what is wrong with its layout.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll("main *")]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1);
    problems.push(`the page is ${root.scrollWidth}px wide in a ${window.innerWidth}px window` +
      (wide.length ? ` (first too wide: ${name(wide[0])})` : ""));
  }
  // A form control or button that sticks out of its card (a grid whose columns are wider than a phone).
  const controls = "main .card input, main .card select, main .card textarea, main .card button";
  for (const el of document.querySelectorAll(controls)) {
    if (!el.offsetParent || el.type === "hidden") continue;
    if (el.closest(".table-wrap, .table-scroll")) continue;  // inside a box that scrolls
    const holder = el.closest(".card-body") || el.closest(".card"), style = getComputedStyle(holder);
    const outer = holder.getBoundingClientRect(), box = el.getBoundingClientRect();
    const left = outer.left + parseFloat(style.paddingLeft), right = outer.right - parseFloat(style.paddingRight);
    const out = Math.max(box.right - right, left - box.left);
    if (out > 1) problems.push(`${name(el)} sticks out of its card by ${Math.round(out)}px`);
  }
  for (const table of document.querySelectorAll("main table")) {
    if (!table.offsetParent) continue;
    const width = table.getBoundingClientRect().width;
    for (let el = table.parentElement; el && el !== document.body; el = el.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(el).overflowX)) break;  // it scrolls in its box
      if (el.clientWidth + 1 < width) {
        problems.push(`a table (${name(table)}) is ${Math.round(width)}px wide ` +
          `in a ${el.clientWidth}px ${name(el)} that does not scroll`);
        break;
      }
    }
  }
  return problems;
}"""


# Run in the page at a laptop's width: the dashboards' tables that must show every column without scrolling.
WHOLE_TABLES = """() => [...document.querySelectorAll(
    "main .statement-table, main .relations-table, main .aging-table, main .overview-table")]
  .filter((table) => table.offsetParent && table.parentElement.scrollWidth > table.parentElement.clientWidth + 1)
  .map((table) => `${table.className} scrolls: ${table.parentElement.scrollWidth}px in ` +
    `${table.parentElement.clientWidth}px`)"""


# What the page shows a person: visible text, the page's title and the labels read out (not code, not scripts).
SHOWN_TEXT = """() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest("script, style, code, pre, kbd, [translate=no]")) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const text = node.textContent.trim();
    if (text) texts.push(text);
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [placeholder]")) {
    for (const name of ["aria-label", "title", "placeholder"]) {
      const value = el.getAttribute(name);
      if (value && value.trim()) texts.push(value.trim());
    }
  }
  return texts;
}"""
# Words English has and Dutch has not: one of them in a text on a Dutch page is English left untranslated.
ENGLISH_ONLY = re.compile(
    r"\b(the|and|your|you|with|from|are|not|this|that|has|have|will|been|for|yet|when|which|what|there|here|"
    r"than|into|since|until|only|about|shows?|none|never|items?|days?|months?|year)\b",
    re.IGNORECASE,
)


def english_strings() -> set[str]:
    """Monitr's English strings that Dutch says otherwise (a string the same in both, like "Status", is not one)."""
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale" / "nl" / "LC_MESSAGES" / "django.po"))
    return {
        " ".join(e.msgid.split())
        for e in catalogue.translated_entries()
        if not e.msgid_plural and e.msgstr.strip() != e.msgid.strip() and "%" not in e.msgid and "<" not in e.msgid
    }


def english_on_page(texts: list[str], english: set[str]) -> list[str]:
    found = set()
    for text in texts:
        text = " ".join(text.split())
        if text in english or ENGLISH_ONLY.search(text):
            found.add(text)
    return sorted(found)


def words(language: str, text: str) -> str:
    """A string of Monitr's in the walk's language, as the pages show it."""
    with override(language):
        return gettext(text)


@dataclass
class Visit:
    path: str
    h1: list[str]
    title: str


@dataclass
class Walk:
    problems: list[str] = field(default_factory=list)
    visits: dict[str, Visit] = field(default_factory=dict)


@pytest.fixture(params=["en-gb", "nl"])
def language(request) -> str:
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict, language: str) -> dict:
    # The browser's language (navigator.language and Accept-Language) is all that chooses the pages' language here.
    return {**browser_context_args, "locale": {"en-gb": "en-GB", "nl": "nl-NL"}[language]}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # Books up to today, so the pages' default year and month have figures in them.
    sandbox = Sandbox.start(
        SandboxConfig(seed=20260101, mutations=300, administrations=1, end_date=timezone.localdate())
    )
    try:
        yield sandbox
    finally:
        sandbox.stop()


@pytest.fixture
def organization_admin(db):
    organization = OrganizationFactory(name="Layout Holding B.V.")
    return MembershipFactory(organization=organization, role="admin", user__email="layout@monitr.local")


@pytest.fixture
def connected(organization_admin, sandbox, settings):
    settings.EBOEKHOUDEN_REST_URL = sandbox.rest_url
    settings.EBOEKHOUDEN_SOAP_URL = sandbox.soap_url
    return connect(organization_admin.organization, sandbox.administrations[0])


class PausedImport:
    """A first import run in a thread of its own and held at a chosen point, as a worker would be half-way."""

    def __init__(self, connection_id: int, *, at_stream: str, at_progress: bool) -> None:
        self.reached, self.release = threading.Event(), threading.Event()
        self.at_stream, self.at_progress = at_stream, at_progress
        self.thread = threading.Thread(target=self._run, args=(connection_id,), daemon=True)

    def _hold(self, stream: str) -> None:
        if stream == self.at_stream and not self.reached.is_set():
            self.reached.set()
            self.release.wait(timeout=300)

    def _run(self, connection_id: int) -> None:
        try:
            sync_run_execute(
                connection_id=connection_id,
                trigger="connect",
                observer=(lambda stream, done, total: self._hold(stream)) if self.at_progress else None,
                stream_observer=None if self.at_progress else (lambda stream, label: self._hold(stream)),
            )
        finally:
            self.reached.set()
            connections.close_all()

    def __enter__(self) -> PausedImport:
        self.thread.start()
        assert self.reached.wait(timeout=120), "the import did not reach the point to pause at"
        assert self.thread.is_alive(), "the import ended before the point to pause at"
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.thread.join(timeout=300)


def sign_in(page: Page, email: str, language: str) -> None:
    page.goto("/login/")
    page.get_by_label(words(language, "E-mail address")).fill(email)
    with override(language):
        password = str(AuthenticationForm.base_fields["password"].label)  # Django's own word
    page.get_by_label(password).fill(TEST_PASSWORD)
    page.get_by_role("button", name=words(language, "Sign in")).click()
    expect(page.get_by_role("complementary", name=words(language, "Main navigation"))).to_be_attached()


def sidebar_paths(page: Page) -> list[str]:
    return page.locator("#sidebar nav a").evaluate_all("links => links.map(a => new URL(a.href).pathname)")


def page_kind(path: str) -> str:
    """Which page a path shows: its view's name (a P&L line and a balance sheet line are one kind of page)."""
    return resolve(path).view_name


def linked_paths(page: Page, known: set[str], kinds: set[str]) -> list[str]:
    """One page of each kind that this page links to."""
    found = []
    hrefs = page.locator("main a[href]:not([download])").evaluate_all(
        "links => links.filter(a => a.origin === location.origin).map(a => a.pathname)"
    )
    for path in hrefs:
        if path in known or SKIPPED.search(path) or page_kind(path) in kinds:
            continue
        kind = page_kind(path)
        kinds.add(kind)
        found.append(path)
    return found


def check_menu_button(page: Page, walk: Walk, where: str, language: str) -> None:
    toggle = page.get_by_role("button", name=words(language, "Menu"), exact=True)
    sidebar = page.locator("#" + (toggle.get_attribute("aria-controls") or "missing"))
    try:
        expect(toggle).to_be_visible()
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(sidebar).to_be_hidden()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        expect(sidebar).to_be_in_viewport()
        expect(sidebar.locator("nav a").first).to_be_visible()
        assert sidebar.evaluate("el => el.contains(document.activeElement)"), "focus did not move into the menu"
        page.keyboard.press("Escape")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(sidebar).to_be_hidden()
        expect(toggle).to_be_focused()
    except AssertionError as error:
        walk.problems.append(f"{where}: the menu button does not work: {error}")


def check_escape_closes_menus(page: Page, walk: Walk, where: str) -> None:
    """Every menu of the page (the user menu, an integration card's settings) opens and closes with Escape."""
    for opener in page.locator("details.menu > summary, [data-menu-button]").all():
        if not opener.is_visible():
            continue
        label = opener.get_attribute("aria-label")
        opener.click()
        panel = opener.locator("xpath=..").locator(".menu-panel").first
        try:
            expect(panel).to_be_visible()
            page.keyboard.press("Escape")
            expect(panel).to_be_hidden()
            expect(opener).to_be_focused()
        except AssertionError as error:
            walk.problems.append(f"{where}: the {label} menu does not close on Escape: {error}")


def walk_every_page(page: Page, email: str, language: str) -> Walk:
    walk = Walk()
    english = english_strings() if language != "en-gb" else set()
    sign_in(page, email, language)
    page.set_viewport_size(VIEWPORTS["laptop"])
    paths = sidebar_paths(page)
    assert len(paths) >= 8, paths
    known, kinds = set(paths), {page_kind(p) for p in paths}
    queue = list(paths)
    for name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        for number, path in enumerate(queue):
            page.goto(path)
            where = f"{path} at {name} ({size['width']}px)"
            if name == "laptop":
                shown = urlsplit(page.url).path  # where a redirect led: the same page is not two pages
                walk.visits[shown] = Visit(shown, page.locator("main h1").all_inner_texts(), page.title())
                if path in paths:  # the pages the sidebar links to, and one of each kind they link to
                    new = linked_paths(page, known, kinds)
                    known.update(new)
                    queue.extend(new)
            walk.problems += [f"{where}: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
            if name == "laptop":
                walk.problems += [f"{where}: {p}" for p in page.evaluate(WHOLE_TABLES)]
            if english and name == "laptop":
                shown = english_on_page(page.evaluate(SHOWN_TEXT), english)
                walk.problems += [f"{where}: English on a Dutch page: {text!r}" for text in shown]
            if number == 0:
                if name == "phone":
                    check_menu_button(page, walk, where, language)
                else:
                    expect(page.get_by_role("button", name=words(language, "Menu"), exact=True)).to_be_hidden()
                    expect(page.locator("#sidebar")).to_be_in_viewport()
            if "/integrations/" in path and number < len(paths):
                check_escape_closes_menus(page, walk, where)
    walk.problems += shared_headings(walk.visits.values())
    return walk


def shared_headings(visits) -> list[str]:
    problems, by_h1, by_title = [], {}, {}
    for visit in visits:
        if len(visit.h1) != 1:
            problems.append(f"{visit.path} has {len(visit.h1)} <h1>: {visit.h1}")
            continue
        for seen, key in ((by_h1, visit.h1[0]), (by_title, visit.title)):
            if key in seen:
                problems.append(f"{visit.path} and {seen[key]} share {key!r}")
            seen[key] = visit.path
    return problems


def assert_fine(walk: Walk) -> None:
    assert not walk.problems, "\n".join(walk.problems)


def dashboard_paths(walk: Walk) -> list[str]:
    return [p for p in walk.visits if p.startswith("/dashboards/") and p.count("/") == 3 and "mapping" not in p]


def walk_during_import(page: Page, email: str, language: str, *, running: str) -> None:
    """Every page is fine, and every dashboard says the first import runs, with the step it is at."""
    walk = walk_every_page(page, email, language)
    assert_fine(walk)
    for path in dashboard_paths(walk):
        page.goto(path)
        expect(page.locator("#first-import"), path).to_be_visible()
        expect(page.locator("#first-import [data-step=running]"), path).to_contain_text(words(language, running))
        expect(page.locator("main"), path).not_to_contain_text(words(language, "Nothing outstanding"))
        expect(page.locator("main"), path).not_to_contain_text(words(language, "Last import: never"))


def test_every_page_before_anything_is_connected(page: Page, organization_admin, language):
    walk = walk_every_page(page, organization_admin.user.email, language)
    assert_fine(walk)
    for path in dashboard_paths(walk):
        page.goto(path)
        expect(page.locator("[data-empty]"), path).to_be_visible()
        expect(page.get_by_role("link", name=words(language, "Go to Integrations")), path).to_be_visible()


def test_every_page_with_books(page: Page, organization_admin, connected, language):
    sync_run_execute(connection_id=connected.pk, trigger="connect")
    walk = walk_every_page(page, organization_admin.user.email, language)
    assert_fine(walk)
    assert len(walk.visits) >= 18, list(walk.visits)  # drill-downs were found and visited


def test_every_page_while_the_open_items_are_still_coming(page: Page, organization_admin, connected, language):
    with PausedImport(connected.pk, at_stream="outstanding_items", at_progress=False):
        walk_during_import(page, organization_admin.user.email, language, running="Open items")
        page.goto("/dashboards/outstanding/")
        expect(page.locator("[data-waiting-for=outstanding_items]")).to_be_visible()
        expect(page.locator("[data-figure]")).to_have_count(0)


def test_every_page_while_the_transactions_are_still_coming(page: Page, organization_admin, connected, language):
    with PausedImport(connected.pk, at_stream="mutations", at_progress=True):
        walk_during_import(page, organization_admin.user.email, language, running="Transactions")
        # The figures that are in show; the checks wait for the end of the import.
        page.goto("/dashboards/outstanding/")
        expect(page.locator("[data-figure=total]")).to_be_visible()
        page.goto("/dashboards/overview/")
        expect(page.locator("[data-lines-pending=figures]")).to_be_visible()
        page.goto("/dashboards/checks/")
        expect(page.locator("[data-waiting-for=checks]")).to_be_visible()
        # An estimated total says so.
        page.goto("/integrations/accounting/")
        about = {"en-gb": r"of about [\d,]+", "nl": r"van ongeveer [\d.]+"}[language]
        expect(page.locator(".sync-progress")).to_contain_text(re.compile(about))


# Run in the page: every figure it shows ([data-figure]), each with whether it is marked as not final: inside an
# element that says so ([data-provisional]). A dash is no figure: what is not known yet is not shown.
FIGURES = """() => [...document.querySelectorAll("main [data-figure]")].map((el) => [
  el.dataset.figure, el.textContent.trim(), !!el.closest("[data-provisional]")])"""
FIGURE_PAGES = (
    "/dashboards/overview/",
    "/dashboards/pnl/",
    "/dashboards/balance-sheet/",
    "/dashboards/outstanding/",
    "/dashboards/outstanding/?side=payable",
    "/dashboards/statements/pnl/revenue/",
)


def figures_shown(page: Page) -> dict[str, list[tuple[str, str, bool]]]:
    shown = {}
    for path in FIGURE_PAGES:
        page.goto(path)
        shown[path] = [tuple(figure) for figure in page.evaluate(FIGURES)]
    return shown


def test_a_figure_shown_during_the_import_is_the_end_result_or_is_marked(
    page: Page, organization_admin, connected, language
):
    with PausedImport(connected.pk, at_stream="mutations", at_progress=True) as paused:
        sign_in(page, organization_admin.user.email, language)
        during = figures_shown(page)
        paused.release.set()
        paused.thread.join(timeout=300)
    after = figures_shown(page)

    differing = []
    for path, figures in during.items():
        final = {key: text for key, text, _ in after[path]}
        assert figures, f"{path} shows no figure during the import"
        for key, text, marked in figures:
            if key in final and text not in (final[key], "–") and not marked:
                differing.append(f"{path} [{key}]: {text} during the import, {final[key]} after it, unmarked")
    assert not differing, "\n".join(differing)


def test_the_waiting_page_loads_itself_again_once_what_it_waits_for_is_in(
    page: Page, organization_admin, connected, language
):
    with PausedImport(connected.pk, at_stream="outstanding_items", at_progress=False) as paused:
        sign_in(page, organization_admin.user.email, language)
        page.goto("/dashboards/outstanding/")
        expect(page.locator("[data-waiting-for=outstanding_items]")).to_be_visible()
        paused.release.set()
        paused.thread.join(timeout=120)
    expect(page.locator("[data-figure=total]")).to_be_visible(timeout=15_000)
    assert urlsplit(page.url).path == "/dashboards/outstanding/"
