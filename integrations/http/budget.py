"""The budget towards a source that every worker process on every machine obeys together, held in Redis.

A client's :class:`~.concurrency.AdaptiveLimiter` bounds one sync. A fleet runs hundreds of syncs at once in several
processes, so what the source sees is their sum: :class:`SharedBudget` bounds that sum. It grants a slot per request
in flight, at most ``total`` at once towards the source and ``per_key`` for any one client credential (an API key, a
login), and at most ``rate`` requests a second; a 429 anyone meets halves the shared limit and pauses everyone for
its ``Retry-After``; successes raise the limit again one at a time, up to ``total``.

How it works, and why it is written here: no library offers a Redis-held semaphore with per-key caps, a token bucket,
shared AIMD and priorities in one atomic step (python-redis-lock and redis-py's ``Lock`` are mutexes, limiters such
as ``limits`` count rates, not requests in flight). One Lua script (:data:`_EXCHANGE`) does the step, so every
process sees one consistent budget:

- Each slot is a member of a sorted set scored by when it expires. A process renews the scores of its members while
  their requests are in flight; a process that dies (SIGKILL, a lost machine) stops renewing, and its slots fall
  back to the budget after ``ttl`` seconds, taken back by the next exchange of any process.
- One thread per process and source (the *pump*) does all the talking to Redis: requests waiting for a slot queue
  in the process, in order of priority (a manual sync before a first import before the nightly run), then of
  seniority (the process's longest-running sync first, with up to three quarters of its share) and arrival, and the
  pump hands back the finished requests' slots and asks for slots for the waiting ones in the same call.
  A busy process makes one call per handful of requests, not two per request.
- A slot a request gives back stays with its process a moment (``linger``): the next request of the same key takes
  it without the pump, or a request of that key waiting in the queue is handed it. Most requests of a running sync
  so never wait for a thread or Redis; the pump still hears from Redis every ``refresh`` while the process holds
  slots, so a 429 elsewhere or another process waiting makes it give them back within that.
- Fair between processes: while others wait for a slot, a process that holds more than its share of the limit
  is granted nothing until it holds less, so one busy worker cannot keep the source to itself; while none waits, a
  process may use what the others leave, so no slot lies unused because it was another's share.

Redis down means the broker is down too: the request fails as a transient error and the sync is retried later.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import redis

from integrations.errors import TransientError

# Priorities: lower goes first. A request asks with its sync's priority (tasks.priority_of).
MANUAL, FIRST_IMPORT, SCHEDULED = 0, 1, 2

# Requests of one process asked for in one exchange: enough for a burst, small enough to keep the script short.
_WANTS_PER_CALL = 64

# KEYS: 1 flight (zset member -> expires at), 2 owner (hash member -> key), 3 per_key (hash key -> in flight),
#       4 state (hash: limit, epoch, paused_until, tokens, tokens_at, successes), 5 held (hash process -> in flight),
#       6 wanting (hash process -> "count:at": its requests the budget refused at its last exchange, and when)
# ARGV: ttl, process, total, per_key, rate, minimum, increase_after, successes,
#       n_released, released..., n_renewed, renewed..., n_limited, (epoch, retry_after)...,
#       n_wants, (member, key)...
# Returns: {granted flags..., limit, in_flight, pause_ms, epoch, share}
_EXCHANGE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[1])
local process = ARGV[2]
local total = tonumber(ARGV[3])
local per_key = tonumber(ARGV[4])
local rate = tonumber(ARGV[5])
local minimum = tonumber(ARGV[6])
local increase_after = tonumber(ARGV[7])
local successes = tonumber(ARGV[8])

local function process_of(member)
  return string.match(member, '^(.-)/')
end

local function drop(member)
  local key = redis.call('HGET', KEYS[2], member)
  if key then
    redis.call('HDEL', KEYS[2], member)
    if redis.call('HINCRBY', KEYS[3], key, -1) <= 0 then redis.call('HDEL', KEYS[3], key) end
    if redis.call('HINCRBY', KEYS[5], process_of(member), -1) <= 0 then
      redis.call('HDEL', KEYS[5], process_of(member))
    end
  end
  redis.call('ZREM', KEYS[1], member)
end

-- Slots whose process stopped renewing them: it died.
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do drop(member) end

local i = 9
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do drop(ARGV[i]); i = i + 1 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i]); i = i + 1 end

local state = redis.call('HMGET', KEYS[4], 'limit', 'epoch', 'paused_until', 'tokens', 'tokens_at', 'successes')
local limit = tonumber(state[1]) or total
if limit > total then limit = total end
local epoch = tonumber(state[2]) or 0
local paused_until = tonumber(state[3]) or 0
local tokens = tonumber(state[4]) or rate
local tokens_at = tonumber(state[5]) or now
local seen = (tonumber(state[6]) or 0) + successes

n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local at_epoch, retry_after = tonumber(ARGV[i]), tonumber(ARGV[i + 1]); i = i + 2
  -- One burst of 429s answers every request that was in flight: halve once per burst.
  if at_epoch == epoch then
    limit = math.max(minimum, math.floor(limit / 2))
    epoch = epoch + 1
    seen = 0
  end
  if retry_after > 0 then paused_until = math.max(paused_until, now + retry_after) end
end
while seen >= increase_after and limit < total do
  limit = limit + 1
  seen = seen - increase_after
end
if limit >= total then seen = 0 end

if rate > 0 then
  tokens = math.min(rate, tokens + (now - tokens_at) * rate)
  tokens_at = now
end

n = tonumber(ARGV[i]); i = i + 1
local granted = {}
local in_flight = redis.call('ZCARD', KEYS[1])
local held = tonumber(redis.call('HGET', KEYS[5], process)) or 0
-- Fair share: while other processes wait for a slot, hold at most an equal part of the limit. A process waits when
-- the budget (not its keys' caps) refused it requests at its last exchange: one whose requests were all granted
-- takes nothing from the others, so what it leaves unused goes to those that want more, however many processes
-- there are. (A process that holds slots without asking for more is told its share too: it gives back what is
-- above it.)
local share = limit
local others = 0
local wanting = redis.call('HGETALL', KEYS[6])
for j = 1, #wanting, 2 do
  local count, at = string.match(wanting[j + 1], '^(%d+):(.+)$')
  if tonumber(at) <= now - 2 or tonumber(count) <= 0 then
    redis.call('HDEL', KEYS[6], wanting[j])
  elseif wanting[j] ~= process then
    others = others + 1
  end
end
if others > 0 then share = math.max(1, math.ceil(limit / (others + 1))) end
local refused = 0
for j = 1, n do
  local member, key = ARGV[i], ARGV[i + 1]; i = i + 2
  local ok = 0
  if in_flight >= limit or held >= share then
    refused = refused + 1
  elseif now >= paused_until and (rate <= 0 or tokens >= 1) then
    if (tonumber(redis.call('HGET', KEYS[3], key)) or 0) < per_key then
      redis.call('ZADD', KEYS[1], now + ttl, member)
      redis.call('HSET', KEYS[2], member, key)
      redis.call('HINCRBY', KEYS[3], key, 1)
      redis.call('HINCRBY', KEYS[5], process, 1)
      in_flight = in_flight + 1
      held = held + 1
      if rate > 0 then tokens = tokens - 1 end
      ok = 1
    end
  end
  granted[j] = ok
end
if refused > 0 then
  redis.call('HSET', KEYS[6], process, refused .. ':' .. now)
else
  redis.call('HDEL', KEYS[6], process)
end

redis.call('HSET', KEYS[4], 'limit', limit, 'epoch', epoch, 'paused_until', paused_until,
           'tokens', tokens, 'tokens_at', tokens_at, 'successes', seen)
local pause_ms = 0
if paused_until > now then pause_ms = math.ceil((paused_until - now) * 1000) end
local wait_ms = 0
if rate > 0 and tokens < 1 then wait_ms = math.ceil((1 - tokens) / rate * 1000) end
table.insert(granted, limit)
table.insert(granted, in_flight)
table.insert(granted, math.max(pause_ms, wait_ms))
table.insert(granted, epoch)
table.insert(granted, share)
return granted
"""


@dataclass(frozen=True, slots=True)
class BudgetLimits:
    """What the source may be asked, by all of Monitr together: ``total`` requests in flight, ``per_key`` of them
    for one credential, ``rate`` a second (0: no rate limit), the shared limit never halved below ``minimum`` and
    raised by one after ``increase_after`` successes."""

    total: int
    per_key: int
    rate: float = 0.0
    minimum: int = 1
    increase_after: int = 20

    def __post_init__(self) -> None:
        if self.total < 1 or self.per_key < 1 or not 1 <= self.minimum <= self.total:
            raise ValueError("need total >= 1, per_key >= 1 and 1 <= minimum <= total")


@dataclass(frozen=True, slots=True)
class BudgetState:
    """The budget as Redis holds it now, for the pages and commands that show the fleet."""

    source: str
    limit: int
    total: int
    per_key: int
    rate: float
    in_flight: int
    paused_for: float
    processes: dict[str, int]
    waiting_processes: int
    waiting_requests: int
    keys_in_flight: int


@dataclass(slots=True)
class _Seniority:
    """A key's seniority in its process: since when its sync runs (seconds since the epoch: the run's start, the same
    in every process; else the moment its first request here asked), its requests live, and when one last ended."""

    since: float
    live: int = 0
    active_at: float = 0.0

    def quiet_since(self, now: float, seconds: float) -> bool:
        """No request live and none ended within ``seconds``: the key's seniority is forgotten."""
        return not self.live and now - self.active_at > seconds


@dataclass(eq=False, slots=True)
class Ticket:
    """One request's slot: its member in Redis, and the epoch it was granted in (a 429 halves once per epoch)."""

    member: str
    key: str
    priority: int
    order: int
    rank: int = 1  # 0: its key is the process's most senior and goes first (SharedBudget._rank_of)
    epoch: int = -1
    # How the waiter learns it was granted: an event (a thread) or a future on a loop (a coroutine).
    event: threading.Event | None = None
    future: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None
    error: BaseException | None = None
    # "waiting" (in the queue, or being asked for), "held", "cancelled" (its waiter gave up), "done".
    state: str = "waiting"

    def __lt__(self, other: Ticket) -> bool:
        return (self.priority, self.rank, self.order) < (other.priority, other.rank, other.order)


class SharedBudget:
    """The slots towards one source that every process shares (see the module). One per process and source:
    :func:`shared_budget`."""

    def __init__(
        self,
        source: str,
        limits: BudgetLimits,
        *,
        client: redis.Redis,
        ttl: float = 15.0,
        poll: float = 0.005,
        linger: float = 0.02,
        refresh: float = 0.05,
        prefix: str = "monitr:budget",
    ) -> None:
        self.source = source
        self.limits = limits
        self.ttl = ttl
        self.poll = poll
        # How long a slot its request gave back stays with the process for the next request of its key, and how
        # often a process holding slots hears from Redis (the share, a 429 elsewhere) while it reuses them.
        self.linger = linger
        self.refresh = refresh
        self._redis = client
        self._script = client.register_script(_EXCHANGE)
        base = f"{prefix}:{source}"
        self._keys = [f"{base}:{part}" for part in ("flight", "owner", "per_key", "state", "held", "wanting")]
        self.process = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._order = itertools.count()
        self._lock = threading.Condition()
        self._waiting: list[Ticket] = []
        self._waiting_by_key: dict[str, list[Ticket]] = {}
        # Each key's seniority; see _rank_of.
        self._ranks: dict[str, _Seniority] = {}
        self._pruned_at = 0.0
        self._held: dict[str, Ticket] = {}
        # Slots the process holds in Redis that no request uses: key -> [(member, since)], the newest last.
        self._idle: dict[str, list[tuple[str, float]]] = {}
        self._idle_count = 0
        self._released: list[str] = []
        self._limited: list[tuple[int, float]] = []
        self._successes = 0
        self._renewed_at = 0.0
        self._exchanged_at = 0.0
        self._retry_at = 0.0
        self._wakes_at = 0.0
        self._poll_delay = poll
        self._spare = limits.total  # slots Redis had free at the last exchange: how many to ask for at once
        self._pump: threading.Thread | None = None
        self._epoch = 0
        self.limit = limits.total
        self._share = limits.total
        self._in_flight = 0
        self._paused_until = 0.0
        self._heard_429 = False
        self.peak_in_flight = 0  # the most this process saw in flight at the source at once (benchmarks)

    # --- what requests call ------------------------------------------------------------------------

    @contextlib.contextmanager
    def slot(self, key: str, priority: int = SCHEDULED, since: float | None = None) -> Iterator[Ticket]:
        """A slot for a request of ``key`` (a credential's name) at ``priority``, for a sync running ``since`` (see
        :meth:`_rank_of`)."""
        ticket = self._acquire(key, priority, since, event=threading.Event())
        if ticket.state != "held":
            assert ticket.event is not None
            ticket.event.wait()
        try:
            self._raise_failed(ticket)
            yield ticket
        finally:
            self._release(ticket)

    @contextlib.asynccontextmanager
    async def slot_async(
        self, key: str, priority: int = SCHEDULED, since: float | None = None
    ) -> AsyncIterator[Ticket]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        ticket = self._acquire(key, priority, since, future=(loop, future))
        if ticket.state != "held":
            try:
                await future
            except asyncio.CancelledError:
                self._release(ticket)
                raise
        try:
            self._raise_failed(ticket)
            yield ticket
        finally:
            self._release(ticket)

    def rate_limited(self, ticket: Ticket | None, retry_after: float | None) -> None:
        """A request met a 429: halve the shared limit (once per burst) and pause everyone for ``retry_after``."""
        with self._lock:
            self._limited.append((ticket.epoch if ticket is not None else self._epoch, retry_after or 0.0))
            self._heard_429 = True  # no slot is reused until Redis has told the new limit and pause
            self._lock.notify_all()
        self._start()

    def succeeded(self) -> None:
        with self._lock:
            self._successes += 1

    # --- the state, for ops -------------------------------------------------------------------------

    def state(self) -> BudgetState:
        """Read from Redis (not from this process): what every process together holds."""
        flight, _owner, per_key, state, _held, wanting = self._keys
        seconds, micros = self._redis.time()
        now = seconds + micros / 1_000_000
        pipe = self._redis.pipeline(transaction=False)
        # Slots of a dead process not yet taken back by an exchange are not in flight: only the live ones count.
        pipe.zrangebyscore(flight, f"({now}", "+inf")
        pipe.hmget(state, "limit", "paused_until")
        pipe.hgetall(wanting)
        pipe.hlen(per_key)
        live, (limit, paused_until), wants, keys = pipe.execute()
        holders = Counter(member.decode().partition("/")[0] for member in live)
        waiting = requests = 0
        for value in wants.values():
            count, _, at = value.decode().partition(":")
            if float(at) > now - 2 and int(count) > 0:
                waiting += 1
                requests += int(count)
        return BudgetState(
            source=self.source,
            limit=int(limit) if limit is not None else self.limits.total,
            total=self.limits.total,
            per_key=self.limits.per_key,
            rate=self.limits.rate,
            in_flight=len(live),
            paused_for=max(0.0, float(paused_until or 0) - now),
            processes=dict(holders),
            waiting_processes=waiting,
            waiting_requests=requests,
            keys_in_flight=int(keys),
        )

    def reset(self) -> None:
        """Forget every slot and the shared limit (tests, benchmarks)."""
        self._redis.delete(*self._keys)

    # --- the fast path: slots the process already holds ------------------------------------------------
    #
    # Asking Redis for every request costs two thread handoffs (to the pump and back) and a script call. A slot a
    # request gives back stays with the process instead, for ``linger`` seconds: the next request of the same key
    # takes it at once, or the best request of that key waiting in the queue is handed it. Redis still counts the
    # slot as held (by the same member), so the caps hold. The process keeps slots only while that is fair and
    # safe: no rate limit (each request must take a token), not paused, the source not over the limit (after a
    # 429 halved it), and the process within its share while others wait; else the slot goes back to Redis.

    def _reusable(self) -> bool:
        return (
            self.limits.rate <= 0
            and not self._heard_429
            and time.monotonic() >= self._paused_until
            and self._in_flight <= self.limit
            and len(self._held) + self._idle_count <= self._share
        )

    def _acquire(self, key: str, priority: int, since: float | None, **waiter: Any) -> Ticket:
        order = next(self._order)  # the request's place in the queue, and its member's name if it asks Redis
        with self._lock:
            rank = self._rank_of(key, since)
            if self._idle.get(key) and not self._outranked(priority, rank) and self._reusable():
                ticket = Ticket(self._take_idle(key), key, priority, order, rank, **waiter)
                self._hand_over(ticket.member, ticket)
                return ticket
            ticket = Ticket(f"{self.process}/{order}", key, priority, order, rank, **waiter)
            heapq.heappush(self._waiting, ticket)
            heapq.heappush(self._waiting_by_key.setdefault(key, []), ticket)
            self._lock.notify_all()
        self._start()
        return ticket

    def _outranked(self, priority: int, rank: int) -> bool:
        """A request of an earlier priority, or of the same and a senior key, waits for a slot (called holding the
        lock): a slot then goes back to Redis to be granted in order, not reused."""
        first = _first_live(self._waiting)
        return first is not None and (first.priority, first.rank) < (priority, rank)

    # Within a priority, the process's most senior running key (the one whose sync started first) goes first with up
    # to three quarters of the process's share: the syncs that started first finish first, where serving requests in
    # arrival order alone had every running sync crawl along together, and a large first import, one among dozens,
    # ended long after the rest (the fleet's tail, bench/README.md). The other quarter is served in arrival order, so
    # the small syncs are not held up behind a large one. A sync's start is the same in every process (its run's, which
    # the request names), so a run whose next slice lands on another worker is as senior there as it was; a request
    # that names none counts from its key's first request in the process. A key keeps its seniority while it has
    # requests live and for RANK_KEPT seconds after (between two windows of a sync).
    RANK_KEPT = 30.0

    def _rank_of(self, key: str, since: float | None) -> int:
        """0 for a request that goes first (see above), else 1; the request is counted live (called holding the
        lock)."""
        now = time.monotonic()
        if now - self._pruned_at > self.RANK_KEPT:
            self._pruned_at = now
            for quiet in [k for k, seniority in self._ranks.items() if seniority.quiet_since(now, self.RANK_KEPT)]:
                del self._ranks[quiet]
        seniority = self._ranks.get(key)
        if seniority is None or seniority.quiet_since(now, self.RANK_KEPT):
            seniority = self._ranks[key] = _Seniority(since if since is not None else time.time(), active_at=now)
        elif since is not None and since < seniority.since:  # two runs on one credential: the older one's
            seniority.since = since
        senior = min((other.since for other in self._ranks.values() if other.live), default=seniority.since)
        first = seniority.since <= senior and seniority.live < self._share * 3 // 4
        seniority.live += 1
        return 0 if first else 1

    def _ended(self, key: str) -> None:
        """A request of the key ended (called holding the lock)."""
        seniority = self._ranks.get(key)
        if seniority is not None:
            seniority.live -= 1
            seniority.active_at = time.monotonic()

    def _take_idle(self, key: str) -> str:
        idle = self._idle[key]
        member, _since = idle.pop()
        if not idle:
            del self._idle[key]
        self._idle_count -= 1
        return member

    def _next_of_key(self, key: str) -> Ticket | None:
        """The best request of ``key`` waiting in the queue and not being asked for (called holding the lock)."""
        first = _first_live(self._waiting_by_key.get(key, []))
        if first is None:
            self._waiting_by_key.pop(key, None)
            return None
        return first if first.state == "waiting" else None

    def _hand_over(self, member: str, ticket: Ticket) -> None:
        """Give a slot the process holds to a waiting request (called holding the lock; wake it after)."""
        ticket.member, ticket.state, ticket.epoch = member, "held", self._epoch
        self._held[member] = ticket

    def _release(self, ticket: Ticket) -> None:
        woken = None
        with self._lock:
            self._ended(ticket.key)
            if ticket.state == "held":
                ticket.state = "done"
                reusable = self._reusable()  # counting this slot: it is the process's until it goes one way or other
                # Also drops the finished requests from the key's queue, so a worker that served thousands of keys
                # keeps none of them.
                waiter = self._next_of_key(ticket.key)
                self._held.pop(ticket.member, None)
                # A senior request of another key waiting: the slot goes back to Redis, which grants it in order.
                if reusable and not self._outranked(ticket.priority, ticket.rank):
                    if waiter is not None and not self._outranked(waiter.priority, waiter.rank):
                        self._hand_over(ticket.member, waiter)
                        woken = waiter
                    else:
                        self._idle.setdefault(ticket.key, []).append((ticket.member, time.monotonic()))
                        self._idle_count += 1
                        if self._wakes_at > time.monotonic() + self.linger:  # the pump gives it back in time
                            self._lock.notify_all()
                else:
                    self._released.append(ticket.member)
                    self._lock.notify_all()
            elif ticket.state in ("waiting", "asking"):  # its waiter gave up: dropped when the queue reaches it
                ticket.state = "cancelled"
        if woken is not None:
            _wake(woken)

    @staticmethod
    def _raise_failed(ticket: Ticket) -> None:
        if ticket.error is not None:
            raise ticket.error

    # --- the pump ------------------------------------------------------------------------------------

    def _start(self) -> None:
        if self._pump is not None and self._pump.is_alive():
            return
        with self._lock:
            if self._pump is None or not self._pump.is_alive():
                self._pump = threading.Thread(target=self._run, name=f"budget-{self.source}", daemon=True)
                self._pump.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._due():
                    timeout = self._sleep()
                    self._wakes_at = time.monotonic() + timeout
                    self._lock.wait(timeout=timeout)
                self._wakes_at = 0.0
                woken = self._match_idle()
                # As many as could be granted now (what Redis had free, and what this process gives back), and a
                # few more for keys at their cap: not the whole queue, which may be hundreds long.
                wants = self._take(min(_WANTS_PER_CALL, self._spare + len(self._released) + self._idle_count + 4))
                self._give_back_idle(everything=bool(wants) or not self._reusable())
                released, self._released = self._released, []
                limited, self._limited = self._limited, []
                successes, self._successes = self._successes, 0
                renew = time.monotonic() - self._renewed_at >= self.ttl / 3
                renewed = [*self._held, *(m for idle in self._idle.values() for m, _ in idle)] if renew else []
            for ticket in woken:
                _wake(ticket)
            try:
                answer = self._exchange(released, renewed, limited, successes, wants)
            except redis.RedisError:
                self._fail(wants)
                continue
            now = time.monotonic()
            self._exchanged_at = now
            if renew:
                self._renewed_at = now
            self._grant(wants, answer)

    def _match_idle(self) -> list[Ticket]:
        """Hand the slots lying idle to requests of their keys that came meanwhile (called holding the lock)."""
        woken = []
        if self._idle_count and self._reusable():
            for key in list(self._idle):
                while key in self._idle and (waiter := self._next_of_key(key)) is not None:
                    if self._outranked(waiter.priority, waiter.rank):
                        break
                    self._hand_over(self._take_idle(key), waiter)
                    woken.append(waiter)
        return woken

    def _give_back_idle(self, *, everything: bool) -> None:
        """Release the idle slots to Redis: those idle past ``linger``, or all of them (called holding the lock)."""
        if not self._idle_count:
            return
        old = time.monotonic() - self.linger
        for key in list(self._idle):
            kept = [] if everything else [(m, since) for m, since in self._idle[key] if since > old]
            for member, since in self._idle[key]:
                if everything or since <= old:
                    self._released.append(member)
            self._idle_count -= len(self._idle[key]) - len(kept)
            if kept:
                self._idle[key] = kept
            else:
                del self._idle[key]

    def _take(self, count: int) -> list[Ticket]:
        """Take up to ``count`` waiting tickets off the queue, in order (called holding the lock); those not granted
        go back onto it."""
        taken: list[Ticket] = []
        while self._waiting and len(taken) < count:
            ticket = heapq.heappop(self._waiting)
            if ticket.state == "waiting":
                ticket.state = "asking"
                taken.append(ticket)
        return taken

    def _due(self) -> bool:
        """Something to tell Redis now: slots to give back, 429s, the renewal, or waiters once a retry is due; while
        the process holds slots, news from Redis every ``refresh``."""
        if self._released or self._limited:
            return True
        now = time.monotonic()
        if (self._held or self._idle_count) and now - self._exchanged_at >= self.refresh:
            return True
        if self._idle_count and self._oldest_idle() <= now - self.linger:
            return True
        if self._held and now - self._renewed_at >= self.ttl / 3:
            return True
        return bool(self._waiting) and now >= self._retry_at and self._asks_for_something()

    def _asks_for_something(self) -> bool:
        # The priority queue holds no request being asked for: the pump takes those off it.
        return _first_live(self._waiting) is not None

    def _oldest_idle(self) -> float:
        return min(idle[0][1] for idle in self._idle.values())

    def _sleep(self) -> float:
        now = time.monotonic()
        deadlines = []
        if self._asks_for_something():
            deadlines.append(self._retry_at)
        if self._held or self._idle_count:
            deadlines.append(self._exchanged_at + self.refresh)
        if self._idle_count:
            deadlines.append(self._oldest_idle() + self.linger)
        if not deadlines:
            return 1.0
        return max(0.0005, min(deadlines) - now)

    def _exchange(
        self, released: list[str], renewed: list[str], limited: list[tuple[int, float]], successes: int, wants
    ) -> list[int]:
        limits = self.limits
        args: list[Any] = [
            self.ttl,
            self.process,
            limits.total,
            limits.per_key,
            limits.rate,
            limits.minimum,
            limits.increase_after,
            successes,
            len(released),
            *released,
            len(renewed),
            *renewed,
            len(limited),
        ]
        for epoch, retry_after in limited:
            args += [epoch, retry_after]
        args.append(len(wants))
        for ticket in wants:
            args += [ticket.member, ticket.key]
        return [int(v) for v in self._script(keys=self._keys, args=args)]

    def _grant(self, wants: list[Ticket], answer: list[int]) -> None:
        *flags, limit, in_flight, wait_ms, epoch, share = answer
        woken = []
        with self._lock:
            self.limit, self._epoch, self._share, self._in_flight = limit, epoch, share, in_flight
            self._paused_until = time.monotonic() + wait_ms / 1000 if wait_ms and self.limits.rate <= 0 else 0.0
            self._heard_429 = bool(self._limited)
            self.peak_in_flight = max(self.peak_in_flight, in_flight)
            granted = 0
            for ticket, flag in zip(wants, flags, strict=True):
                if not flag:
                    if ticket.state == "asking":
                        ticket.state = "waiting"
                        heapq.heappush(self._waiting, ticket)
                    continue
                granted += 1
                if ticket.state == "cancelled":  # its waiter gave up meanwhile: give the slot straight back
                    self._released.append(ticket.member)
                    continue
                ticket.state, ticket.epoch = "held", epoch
                self._held[ticket.member] = ticket
                woken.append(ticket)
            self._spare = max(0, limit - in_flight)
            woken += self._match_idle()
            # Nothing more to be had now: ask again after the pause, or poll for slots other processes free, less
            # often while nothing comes (a release of this process's own asks again at once).
            if granted < len(wants):
                self._poll_delay = self.poll if granted else min(self._poll_delay * 2, 0.025)
                self._retry_at = time.monotonic() + max(wait_ms / 1000, self._poll_delay)
            else:
                self._poll_delay, self._retry_at = self.poll, 0.0
        for ticket in woken:
            _wake(ticket)

    def _fail(self, wants: list[Ticket]) -> None:
        error = TransientError(TransientError.default_message, title="the shared budget could not be reached")
        with self._lock:
            for ticket in wants:
                ticket.state, ticket.error = "done", error
            self._retry_at = time.monotonic() + 0.5
        for ticket in wants:
            _wake(ticket)


def _first_live(queue: list[Ticket]) -> Ticket | None:
    """The first request of a queue still waiting or being asked for; those done, held or given up are dropped from
    its head on the way (the queues are cleaned as they are read, not when a request leaves them)."""
    while queue and queue[0].state not in ("waiting", "asking"):
        heapq.heappop(queue)
    return queue[0] if queue else None


def _wake(ticket: Ticket) -> None:
    if ticket.event is not None:
        ticket.event.set()
    elif ticket.future is not None:
        loop, future = ticket.future
        if asyncio._get_running_loop() is loop:  # handed over by a request on the same loop: no wake-up needed
            loop.call_soon(_set_done, future)
        else:
            loop.call_soon_threadsafe(_set_done, future)


def _set_done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_budgets: dict[tuple[str, str, BudgetLimits], SharedBudget] = {}
_budgets_lock = threading.Lock()


def shared_budget(source: str, limits: BudgetLimits, *, redis_url: str, **options: Any) -> SharedBudget:
    """The process's budget towards ``source`` (one per source, Redis and limits): every client of the process
    shares it, so its pump and its connection to Redis are made once."""
    name = (source, redis_url, limits)
    with _budgets_lock:
        budget = _budgets.get(name)
        if budget is None:
            client = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=2)
            budget = _budgets[name] = SharedBudget(source, limits, client=client, **options)
        return budget
