"""The ledger's fixed vocabularies, in provider-neutral words; each importer maps its provider's codes to these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    BALANCE_SHEET = "balance_sheet", _("Balance sheet")
    PROFIT_AND_LOSS = "profit_and_loss", _("Profit and loss")


class AccountRole(models.TextChoices):
    """What an account is for, in words every provider maps its own chart to (e-Boekhouden's categories, a file's
    account types). Dashboards, checks and the default report mapping read roles, never a provider's codes.

    ``UNSPECIFIED`` is an account its source says nothing about: the default mapping then goes by its code, and the
    account mapping page lets an admin place it."""

    UNSPECIFIED = "", _("Not specified")
    CASH = "cash", _("Cash and bank")
    RECEIVABLE = "receivable", _("Receivable (debtors)")
    PAYABLE = "payable", _("Payable (creditors)")
    VAT = "vat", _("VAT")
    ASSET = "asset", _("Other asset")
    EQUITY = "equity", _("Equity")
    LIABILITY = "liability", _("Other liability")
    REVENUE = "revenue", _("Revenue")
    COST = "cost", _("Cost")


class TransactionType(models.TextChoices):
    OPENING_BALANCE = "opening_balance", _("Opening balance")
    PURCHASE_INVOICE = "purchase_invoice", _("Invoice received")
    SALES_INVOICE = "sales_invoice", _("Invoice sent")
    PAYMENT_RECEIVED = "payment_received", _("Invoice payment received")
    PAYMENT_SENT = "payment_sent", _("Invoice payment sent")
    MONEY_RECEIVED = "money_received", _("Money received")
    MONEY_SENT = "money_sent", _("Money sent")
    JOURNAL = "journal", _("General journal")


class OutstandingSide(models.TextChoices):
    RECEIVABLE = "receivable", _("Receivable")
    PAYABLE = "payable", _("Payable")


class ReconciliationCheck(models.TextChoices):
    LEDGER_MONTH = "ledger_month", _("Imported lines against the provider's balance, per account and month")
    OPEN_ITEMS = "open_items", _("Open items against the debtors or creditors accounts")
    OPEN_ITEM_LEDGER = "open_item_ledger", _("Open items rebuilt from the books against the provider's list")


class SetAsideKind(models.TextChoices):
    """What kind of source record an import set aside."""

    ACCOUNT = "account", _("Account")
    RELATION = "relation", _("Relation")
    COST_CENTER = "cost_center", _("Cost centre")
    TRANSACTION = "transaction", _("Transaction")
    OPEN_ITEM = "open_item", _("Open item")
    BALANCE = "balance", _("Balance")
