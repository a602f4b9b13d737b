"""The fleet of connections as operators see it (``manage.py sync_status`` and the ops page): what is queued in each
lane of the broker, what runs, what waits between slices or for the budget towards the source, what failed, the
budget in use, and when tonight's scheduled run is expected to end.

Everything here reads across organisations: it is for Monitr's operators (superusers), never shown to a customer.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from monitr.logs import get_logger

from .http.budget import FIRST_IMPORT, MANUAL, SCHEDULED, BudgetState
from .models import Connection, ConnectionStatus, SyncRun, SyncRunStatus, SyncTrigger
from .sync.lock import lease_live
from .sync.schedule import AMSTERDAM, schedule_times
from .tasks import CONTINUE_PRIORITY, QUEUE_PRIORITY

log = get_logger(__name__)

# The broker's lanes as kombu's Redis transport keeps them: a list per priority step, named after the queue and the
# step ("celery" for 0, "celery:3", ...). A priority's queue is its new runs' lane and its runs' next slices' lane
# together (the tasks' own steps, so the two cannot drift apart).
LANES = tuple(
    (priority, tuple(sorted({QUEUE_PRIORITY[priority], CONTINUE_PRIORITY[priority]})))
    for priority in (MANUAL, FIRST_IMPORT, SCHEDULED)
)
QUEUE = "celery"
# Runs of a connection's history an operator reads to judge what tonight takes.
DEFAULT_DURATION = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Tonight:
    """The scheduled run of the night: from ``starts`` over ``window`` (each connection at its offset)."""

    starts: dt.datetime
    ends_by_schedule: dt.datetime
    due: int
    done: int
    failed: int
    expected_end: dt.datetime | None


@dataclass(frozen=True, slots=True)
class FleetStatus:
    queued: dict[int, int | None]  # by priority; None when the broker cannot be read (not Redis, or down)
    reserved: int | None  # taken by a worker, not yet acknowledged
    running: int  # runs working in a worker now
    between_slices: int  # runs waiting for their next slice in the queue
    failed: int
    reconnect_needed: int
    connections: int
    budget: BudgetState | None
    waiting_requests: int | None  # requests waiting for a slot of the budget, every process together
    tonight: Tonight
    attention: list[Connection] = field(default_factory=list)  # failed, reconnect needed, under way


def fleet_status(*, now: dt.datetime | None = None, listed: int = 200) -> FleetStatus:
    now = now or timezone.now()
    connections = Connection.objects.all()
    counts = connections.aggregate(
        total=Count("pk"),
        failed=Count("pk", filter=Q(status=ConnectionStatus.FAILED)),
        reconnect=Count("pk", filter=Q(status=ConnectionStatus.RECONNECT_NEEDED)),
    )
    runs = Counter(
        "between" if resume else "running"
        for resume in SyncRun.objects.filter(
            status=SyncRunStatus.RUNNING, connection__in=connections.filter(lease_live())
        ).values_list("resume", flat=True)
    )
    attention = list(
        connections.filter(
            Q(status__in=[ConnectionStatus.FAILED, ConnectionStatus.RECONNECT_NEEDED, ConnectionStatus.IN_PROGRESS])
        )
        .select_related("administration", "integration__organization")
        .order_by("status", "integration__organization__name", "administration__name")[:listed]
    )
    queued, reserved = _broker_lengths()
    budget, waiting = _budget()
    return FleetStatus(
        queued=queued,
        reserved=reserved,
        running=runs["running"],
        between_slices=runs["between"],
        failed=counts["failed"],
        reconnect_needed=counts["reconnect"],
        connections=counts["total"],
        budget=budget,
        waiting_requests=waiting,
        tonight=tonight(now),
        attention=attention,
    )


def tonight(now: dt.datetime) -> Tonight:
    """The scheduled run under way or next: its start (the first of ``MONITR_SYNC_TIMES`` whose window has not
    ended), how many connections it syncs and has synced, and when it is expected to end: each connection left
    starts at its offset (or now, if that passed) and takes as long as its last scheduled run did (a minute if it
    never had one); the latest of those. The budget and the workers are taken to keep up, as they did last night:
    the figure is an estimate, and says so where it is shown."""
    spread = dt.timedelta(minutes=getattr(settings, "MONITR_SYNC_SPREAD_MINUTES", 0))
    local = now.astimezone(AMSTERDAM)
    starts = min(
        candidate
        for days in (-1, 0, 1)
        for t in schedule_times()
        if (candidate := dt.datetime.combine(local.date() + dt.timedelta(days=days), t, tzinfo=AMSTERDAM))
        + spread
        + DEFAULT_DURATION
        > local
    )
    ends = starts + spread
    scheduled = SyncRun.objects.filter(trigger=SyncTrigger.SCHEDULE, started_at__gte=starts)
    done = scheduled.filter(status=SyncRunStatus.SUCCEEDED).values("connection_id").distinct().count()
    failed = scheduled.filter(status=SyncRunStatus.FAILED).values("connection_id").distinct().count()
    left: list[tuple[int, dt.datetime]] = [
        (pk, next_at)
        for pk, next_at in Connection.objects.filter(next_sync_at__lte=ends + dt.timedelta(seconds=1))
        .exclude(status=ConnectionStatus.RECONNECT_NEEDED)
        .values_list("pk", "next_sync_at")
        if next_at is not None
    ]
    durations = _last_durations([pk for pk, _ in left])
    expected: dt.datetime | None = max(
        (max(next_at, now) + durations.get(pk, DEFAULT_DURATION) for pk, next_at in left),
        default=None,
    )
    if expected is None and done:
        expected = scheduled.order_by("-finished_at").values_list("finished_at", flat=True).first()
    return Tonight(
        starts=starts,
        ends_by_schedule=ends,
        due=len(left) + done,
        done=done,
        failed=failed,
        expected_end=expected,
    )


def _last_durations(connection_ids: list[int]) -> dict[int, dt.timedelta]:
    """Each connection's last succeeded scheduled run's duration, in one query."""
    runs = (
        SyncRun.objects.filter(
            connection_id__in=connection_ids, trigger=SyncTrigger.SCHEDULE, status=SyncRunStatus.SUCCEEDED
        )
        .order_by("connection_id", "-started_at")
        .distinct("connection_id")
        .values_list("connection_id", "started_at", "finished_at")
        if _postgres()
        else SyncRun.objects.filter(
            connection_id__in=connection_ids, trigger=SyncTrigger.SCHEDULE, status=SyncRunStatus.SUCCEEDED
        )
        .order_by("started_at")
        .values_list("connection_id", "started_at", "finished_at")
    )
    return {pk: finished - started for pk, started, finished in runs if finished}


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _broker_lengths() -> tuple[dict[int, int | None], int | None]:
    """The broker's lanes and what workers hold unacknowledged (kombu's Redis transport); None where unreadable."""
    unknown: dict[int, int | None] = {priority: None for priority, _ in LANES}
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        return unknown, None
    import redis

    try:
        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        pipe = client.pipeline(transaction=False)
        for _, steps in LANES:
            for step in steps:
                pipe.llen(QUEUE if not step else f"{QUEUE}:{step}")
        pipe.hlen("unacked")
        *lengths, unacked = pipe.execute()
    except redis.RedisError as error:
        log.warning("fleet.broker_unreadable", error=type(error).__name__)
        return unknown, None
    read = iter(lengths)
    return {priority: sum(next(read) for _ in steps) for priority, steps in LANES}, unacked


def _budget() -> tuple[BudgetState | None, int | None]:
    """The budget towards e-Boekhouden as every process holds it (the one source that has one)."""
    from .registry import all_providers

    for provider in all_providers():
        budget = provider.shared_budget()
        if budget is None:
            continue
        try:
            state = budget.state()
        except Exception as error:
            log.warning("fleet.budget_unreadable", error=type(error).__name__)
            return None, None
        return state, state.waiting_requests
    return None, None
