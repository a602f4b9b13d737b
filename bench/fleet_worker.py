"""A Celery worker of the fleet benchmark (``bench/fleet.py``): Monitr's own worker (``celery -A monitr worker``),
run as if it were ``bench.common.SYNC_TODAY`` (the clock ticking), like every other import benchmark, so that the
sandbox's books end twelve days before "today" whatever the calendar says; on the benchmark's own clock
(``MONITR_FLEET_CLOCK_ANCHOR``: the real moment the benchmark's day began), so that runs are stamped alike.

    python bench/fleet_worker.py --pool threads --concurrency 12 -n fleet1@%h
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time_machine

from bench.common import SYNC_TODAY

if __name__ == "__main__":
    # The benchmark's clock started at the anchor (real time): every process shows the same moment.
    anchor = float(os.environ.get("MONITR_FLEET_CLOCK_ANCHOR", time.time()))
    time_machine.travel(SYNC_TODAY + dt.timedelta(seconds=time.time() - anchor), tick=True).start()
    from celery.__main__ import main

    sys.argv = ["celery", "-A", "monitr", "worker", *sys.argv[1:]]
    sys.exit(main())
