"""The first imports running now, read from their SyncRuns for the pages that read the books (``ledger.imports``).

A run is its administration's first import while the administration was never imported (the pages ask only for
those); it counts only while its connection's lease is live, so a run that died is not shown as still importing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledger.imports import Arrival, FirstImport, ImportStep
from ledger.models import Administration
from monitr.web.stored_text import shown

from .models import Connection, SyncRun, SyncRunStatus
from .sync.lock import lease_live


def first_imports_read(administrations: Sequence[Administration]) -> dict[int, FirstImport]:
    """One query: the running run of each of ``administrations`` whose connection holds a live lease."""
    by_id = {a.pk: a for a in administrations}
    runs = (
        SyncRun.objects.filter(administration_id__in=by_id, status=SyncRunStatus.RUNNING)
        .filter(connection__in=Connection.objects.filter(lease_live()).values("pk"))
        .order_by("administration_id", "-started_at")
    )
    found: dict[int, FirstImport] = {}
    for run in runs:
        if run.administration_id not in found:
            found[run.administration_id] = _first_import(run, by_id[run.administration_id])
    return found


def _first_import(run: SyncRun, administration: Administration) -> FirstImport:
    steps = []
    for planned in run.plan:
        name = planned["name"]
        state = "done" if name in run.counts else "running" if name == run.stream else "coming"
        brings = Arrival(planned["brings"]) if planned.get("brings") else None
        steps.append(ImportStep(label=shown(planned["label"]), brings=brings, state=state))
    return FirstImport(
        administration=administration,
        steps=tuple(steps),
        done=run.progress_done,
        total=run.progress_total,
        estimated=run.progress_estimated,
    )
