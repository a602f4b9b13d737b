"""The cash forecast on books imported from the sandbox, whose relations pay by habits planted in it: today's weeks
add up to what is open, each item where its relation's habit puts it, those of relations that never pay set apart,
and the backtest on past days beats "everything is paid on its due date"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from rest_framework.test import APIClient

from dashboards.models import default_curve
from dashboards.selectors.forecast import _open_items, cash_forecast, cash_forecast_and_unlikely, forecast_backtest
from dashboards.selectors.scope import OutstandingScope
from dashboards.selectors.settings import outstanding_settings_get
from ledger.forecast import WEEKS, Forecast, Group, forecast, week_of
from ledger.models import CashForecastBacktest, OutstandingItem, OutstandingSide, RelationPaymentHabit
from ledger.money import cents
from monitr.accounts.tokens import api_token_create
from tests.connections import RECENTLY, connect, sync
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)


def cash_forecast_of_items(*, scope: OutstandingScope, curve) -> Forecast:
    """The forecast from one group per due date, delay and "does not pay" (the items as ``ledger.forecast`` takes
    them, unplaced): what the page's grouping by the day each item is placed by must equal."""
    rows = (
        _open_items(scope)
        .values_list("due", "delay", "never")
        .annotate(amount=Coalesce(Sum("outstanding"), Value(Decimal(0))), items=Count("pk"))
        .order_by()
    )
    groups = [
        Group(due=due, delay=delay, never=bool(never), amount=cents(amount), items=items)
        for due, delay, never, amount, items in rows
    ]
    return forecast(groups, as_of=scope.today, curve=curve)


def scope_of(connection, side: OutstandingSide, today: dt.date) -> OutstandingScope:
    return OutstandingScope(
        organization=connection.administration.organization,
        side=side,
        as_of=today,
        today=today,
        administration=connection.administration,
    )


@pytest.mark.parametrize("seed", ["habits/1", "habits/2"])
def test_the_forecast_places_every_open_item_and_beats_the_due_date_method_on_past_days(
    organization, sandbox_settings, eboekhouden_sandbox, seed
):
    info = eboekhouden_sandbox.add_administration(mutations=1500, seed=seed)
    try:
        connection = connect(organization, info)
        with time_machine.travel(RECENTLY):
            sync(connection)
        today = RECENTLY.date() if isinstance(RECENTLY, dt.datetime) else RECENTLY
        planted = {h["relationId"]: h["habit"] for h in eboekhouden_sandbox.payment_habits(info.guid)}
        curve = default_curve()
        for side in OutstandingSide:
            scope = scope_of(connection, side, today)
            made = cash_forecast(scope=scope, curve=curve)
            # Grouped by the day each item is placed by, as by its own due date, delay and habit: the same to the cent.
            for each_curve in (curve, [[7, 100]], [[14, 40], [200, 60]]):
                assert cash_forecast(scope=scope, curve=each_curve) == cash_forecast_of_items(
                    scope=scope, curve=each_curve
                )
            owed = OutstandingItem.objects.filter(
                administration=connection.administration, side=side, outstanding__gt=0
            ).aggregate(total=Sum("outstanding"))["total"] or Decimal("0.00")
            # Every cent still owed is in a week, later, or set apart as unlikely.
            assert made.open_total == owed > 0
            assert made.expected + made.later + made.unlikely == owed
            assert len(made.weeks) == WEEKS and made.weeks[0].start == today + dt.timedelta(days=1)

            # A relation that never pays: all of its items are set apart.
            habits = {
                int(h.relation.external_id): h
                for h in RelationPaymentHabit.objects.filter(
                    administration=connection.administration, side=side
                ).select_related("relation")
            }
            never = [h for rid, h in habits.items() if planted.get(rid) == "never" and h.never_pays]
            unlikely = {
                row.relation_id: row for row in cash_forecast_and_unlikely(scope=scope, curve=curve, limit=1000)[1]
            }
            for habit in never:
                open_amount = OutstandingItem.objects.filter(
                    administration=connection.administration, side=side, relation=habit.relation, outstanding__gt=0
                ).aggregate(total=Sum("outstanding"))["total"]
                if open_amount:
                    assert unlikely[habit.relation_id].amount == open_amount and unlikely[habit.relation_id].never
            assert sum((row.amount for row in unlikely.values()), Decimal(0)) == made.unlikely

            # A relation that always pays 20-40 days late: its items not yet due are expected that much later.
            late = [h for rid, h in habits.items() if planted.get(rid) == "late" and h.has_history]
            assert late, side
            for habit in late:
                assert 20 <= habit.usual_delay <= 40
                for item in OutstandingItem.objects.filter(
                    administration=connection.administration,
                    side=side,
                    relation=habit.relation,
                    outstanding__gt=0,
                    due_date__gt=today,
                ):
                    expected = item.due_date + dt.timedelta(days=habit.usual_delay)
                    week = week_of(today, expected)
                    if week < WEEKS:
                        assert made.weeks[week].by_habit >= item.outstanding

            # The backtest: forecasts made on past days against what was then paid.
            result = forecast_backtest(scope=scope, curve=curve)
            assert result is not None and len(result.origins) >= 6, side
            assert result.error < result.due_date_error, (side, result.error, result.due_date_error)
            assert result.improvement > 0
        assert CashForecastBacktest.objects.filter(administration=connection.administration).count() == 2
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)


def test_the_expected_cash_page_its_export_api_and_curve_agree_and_keep_to_the_organisation(
    organization, other_organization, sandbox_settings, eboekhouden_sandbox, admin_client, member_user
):
    info = eboekhouden_sandbox.add_administration(mutations=1500, seed="habits/1")
    try:
        connection = connect(organization, info)
        with time_machine.travel(RECENTLY):
            sync(connection)
        with time_machine.travel(RECENTLY, tick=False):
            today = dt.date(2026, 1, 12)
            scope = scope_of(connection, OutstandingSide.RECEIVABLE, today)
            made = cash_forecast(scope=scope, curve=default_curve())
            url = reverse("dashboards:outstanding_forecast")
            for language, words in (("en", "Expected cash"), ("nl", "Verwachte kasstromen")):
                page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
                assert page.status_code == 200
                html = page.content.decode()
                assert words in html and 'data-figure="expected"' in html, language
                assert html.count('data-week="') == WEEKS + 2
                assert 'id="backtest-chart"' in html and 'data-origin="' in html
            # The weeks, later and unlikely add up on the page as in the selector.
            chart = page.context["chart"]
            assert sum(Decimal(v) for v in chart["by_habit"] + chart["by_curve"]) == made.expected

            # The export: a row per week, then later, unlikely and the open total, in the reader's language.
            exported = b"".join(
                admin_client.get(
                    reverse("dashboards:outstanding_forecast_export", args=["csv"]), HTTP_ACCEPT_LANGUAGE="en"
                ).streaming_content
            ).decode("utf-8-sig")
            header, *lines = exported.splitlines()
            assert header.startswith("Week,From,To") and len(lines) == WEEKS + 3
            assert sum(Decimal(line.split(",")[5]) for line in lines[:WEEKS]) == made.expected
            assert lines[-1].endswith(f",{made.open_total},")

            # The read API answers the same figures.
            client = APIClient()
            token = api_token_create(user=member_user, organization=organization, name="t").secret
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
            answer = client.get("/api/v1/outstanding-items/forecast/", {"side": "receivable"})
            assert answer.status_code == 200, answer.content
            body = answer.json()
            assert [Decimal(w["expected"]) for w in body["weeks"]] == [w.total for w in made.weeks]
            assert Decimal(body["open_total"]) == made.open_total and Decimal(body["unlikely"]) == made.unlikely
            before = Decimal(body["backtest"]["error"])
            assert Decimal(body["backtest"]["error"]) < Decimal(body["backtest"]["due_date_error"])

            # An admin changes the curve: the forecast and its backtest use it at once.
            refused = admin_client.post(
                reverse("dashboards:outstanding_forecast_curve"),
                {"percent_1": 50, "days_1": 30, "percent_2": 30, "days_2": 60},
                follow=True,
            )
            assert "they must add up to 100%" in refused.content.decode()
            assert outstanding_settings_get(organization=organization).collection_curve == default_curve()
            saved = admin_client.post(
                reverse("dashboards:outstanding_forecast_curve"),
                {"percent_1": 100, "days_1": 7},
                follow=True,
            )
            assert "Collection curve saved" in saved.content.decode()
            assert outstanding_settings_get(organization=organization).collection_curve == [[7, 100]]
            after = client.get("/api/v1/outstanding-items/forecast/").json()
            assert after["curve"] == [[7, 100]] and Decimal(after["backtest"]["error"]) != before
            # Beyond the new curve's last step (7 days past due) everything is unlikely.
            assert Decimal(after["unlikely"]) >= made.unlikely

            # Another organisation sees none of it: its forecast is empty, the administration a 404.
            stranger = APIClient()
            other_token = api_token_create(
                user=MembershipFactory(organization=other_organization, role="member").user,
                organization=other_organization,
                name="t",
            ).secret
            stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")
            theirs = stranger.get("/api/v1/outstanding-items/forecast/").json()
            assert Decimal(theirs["open_total"]) == 0 and theirs["backtest"] is None
            assert (
                stranger.get(
                    "/api/v1/outstanding-items/forecast/", {"administration": connection.administration.pk}
                ).status_code
                == 404
            )
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)


def test_a_build_that_finds_the_books_and_the_day_as_before_writes_nothing(
    organization, sandbox_settings, eboekhouden_sandbox, django_assert_max_num_queries
):
    from ledger.models import Administration
    from ledger.services import open_item_ledger_build
    from ledger.services.results import WriteCounts

    info = eboekhouden_sandbox.add_administration(mutations=400, seed="habits/3")
    try:
        connection = connect(organization, info)
        with time_machine.travel(RECENTLY):
            sync(connection)
        administration = Administration.objects.get(pk=connection.administration.pk)
        built = administration.open_items_digest
        today = dt.date(2026, 1, 12)
        assert built and administration.open_items_built_at is not None
        # Only the reading: the accounts, the lines, the terms, the source's list (and the organisation's
        # default term); nothing is written.
        with django_assert_max_num_queries(6):
            counts = open_item_ledger_build(administration=administration, today=today)
        assert counts == WriteCounts()
        # A day later the habits' windows and the month ends move: it is built again.
        open_item_ledger_build(administration=administration, today=today + dt.timedelta(days=1))
        administration.refresh_from_db()
        assert administration.open_items_digest != built
        assert set(
            RelationPaymentHabit.objects.filter(administration=administration).values_list("as_of", flat=True)
        ) == {today + dt.timedelta(days=1)}
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)


def test_the_forecast_is_kept_until_the_open_items_or_their_relations_change(
    organization, sandbox_settings, eboekhouden_sandbox, django_assert_num_queries
):
    from dashboards.selectors.forecast import _forecast_and_unlikely
    from ledger.models import Administration

    info = eboekhouden_sandbox.add_administration(mutations=1500, seed="habits/1")
    try:
        connection = connect(organization, info)
        with time_machine.travel(RECENTLY):
            sync(connection)
        today = dt.date(2026, 1, 12)
        scope = scope_of(connection, OutstandingSide.RECEIVABLE, today)
        curve = default_curve()
        # Placed by the worker as the sync finished: the first read only asks when the open items last changed.
        with django_assert_num_queries(1):
            made, unlikely = cash_forecast_and_unlikely(scope=scope, curve=curve)
        assert (made, unlikely) == _forecast_and_unlikely(scope=scope, curve=curve, limit=len(unlikely))
        assert unlikely, "the seed plants relations that never pay"
        # Another curve is another forecast.
        assert cash_forecast(scope=scope, curve=[[7, 100]]) != made

        # A sync that finds nothing new changes nothing, and the forecast stays kept.
        changed_at = Administration.objects.get(pk=connection.administration.pk).outstanding_changed_at
        assert changed_at is not None
        with time_machine.travel(RECENTLY):
            sync(connection)
        assert Administration.objects.get(pk=connection.administration.pk).outstanding_changed_at == changed_at

        # A relation renamed at the source: the next read is figured again, from the new books.
        renamed = unlikely[0]
        external_id = connection.administration.relations.get(pk=renamed.relation_id).external_id
        eboekhouden_sandbox.edit_relation(info.guid, int(external_id), {"name": "Renamed Trading B.V."})
        with time_machine.travel(RECENTLY):
            sync(connection)
        assert Administration.objects.get(pk=connection.administration.pk).outstanding_changed_at != changed_at
        scope = scope_of(connection, OutstandingSide.RECEIVABLE, today)  # a page's scope is made per request
        again, unlikely_again = cash_forecast_and_unlikely(scope=scope, curve=curve)
        assert (again, unlikely_again) == _forecast_and_unlikely(scope=scope, curve=curve, limit=len(unlikely))
        assert "Renamed Trading B.V." in {row.relation_name for row in unlikely_again}
    finally:
        eboekhouden_sandbox.remove_administration(info.guid)
