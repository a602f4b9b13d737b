"""The ranges of values the ledger stores: what a provider's record must keep within to be stored.

A bookkeeping source can hold values no business means: an invoice dated in the year 9999, a payment term of three
million days or of minus five, an amount with seventeen digits. Stored as given they would overflow a column or a
due-date calculation, or make the checks walk thousands of years; so a record holding one is refused with a reason
(see ``ledger.records.RefusedValue``) and the importer sets it aside, while the rest of the import goes on.

The ranges are wide on purpose: they refuse what cannot be meant, never what is merely unusual.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

# Dates of transactions, invoices and due dates. e-Boekhouden itself accepts the years 1980..2049; the margin on
# both sides keeps old archives and long due dates, and stays far inside what Python's dates can add to.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)

# A payment term in days (an invoice's or a relation's): none is negative, and ten years is already far beyond any
# term in use; a longer one is a typing error at the source.
MAX_PAYMENT_TERM_DAYS = 3_650

# Money columns are numeric(18, 2): sixteen digits before the point, two after.
MONEY_DIGITS = 18
MONEY_PLACES = 2
MONEY_LIMIT = Decimal(10) ** (MONEY_DIGITS - MONEY_PLACES)

# External ids (the provider's keys) are stored in columns of this length.
EXTERNAL_ID_LENGTH = 100
