"""What the ledger tells the apps above it, without knowing them.

``books_imported`` is sent once an import of an administration's books has succeeded and is committed (by whoever
imports: the sync engine of ``integrations``), with ``administration=``. The dashboards keep their slowest figures
ready on it; receivers must not fail the import, so it is sent with ``send_robust`` and their errors are logged.
"""

from django.dispatch import Signal

books_imported = Signal()
