"""The Ledger file's task: the check of a large upload, in the worker, while the page shows how far it is.

Only the upload's id and the check's token travel through the broker. A check is not retried: one that fails says so
on the page, which offers to check the file again.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=False)
def check_upload(upload_id: int, token: str) -> None:
    from .services import upload_check_run

    upload_check_run(upload_id=upload_id, token=token)
