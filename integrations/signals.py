"""What the sync engine tells the apps above it: ``sync_finished`` is sent once a run has finished and its outcome
is committed, succeeded or failed, with ``run=`` (the SyncRun, its connection loaded) and ``administration=``
(its administration with the organisation, or None once deleted). What tells people about the imports (alerts)
listens. Sent with ``send_robust``: a receiver's error is logged and never fails the run."""

from django.dispatch import Signal

sync_finished = Signal()
