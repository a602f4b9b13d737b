"""The ledger's fixed vocabularies, in provider-neutral words; each importer maps its provider's codes to these."""

from __future__ import annotations

from django.db import models


class AccountKind(models.TextChoices):
    BALANCE_SHEET = "balance_sheet", "Balance sheet"
    PROFIT_AND_LOSS = "profit_and_loss", "Profit and loss"


class AccountRole(models.TextChoices):
    """What an account is for, in words every provider maps its own chart to (e-Boekhouden's categories, a file's
    account types). Dashboards, checks and the default report mapping read roles, never a provider's codes.

    ``UNSPECIFIED`` is an account its source says nothing about: the default mapping then goes by its code, and the
    account mapping page lets an admin place it."""

    UNSPECIFIED = "", "Not specified"
    CASH = "cash", "Cash and bank"
    RECEIVABLE = "receivable", "Receivable (debtors)"
    PAYABLE = "payable", "Payable (creditors)"
    VAT = "vat", "VAT"
    ASSET = "asset", "Other asset"
    EQUITY = "equity", "Equity"
    LIABILITY = "liability", "Other liability"
    REVENUE = "revenue", "Revenue"
    COST = "cost", "Cost"


class TransactionType(models.TextChoices):
    OPENING_BALANCE = "opening_balance", "Opening balance"
    PURCHASE_INVOICE = "purchase_invoice", "Invoice received"
    SALES_INVOICE = "sales_invoice", "Invoice sent"
    PAYMENT_RECEIVED = "payment_received", "Invoice payment received"
    PAYMENT_SENT = "payment_sent", "Invoice payment sent"
    MONEY_RECEIVED = "money_received", "Money received"
    MONEY_SENT = "money_sent", "Money sent"
    JOURNAL = "journal", "General journal"


class OutstandingSide(models.TextChoices):
    RECEIVABLE = "receivable", "Receivable"
    PAYABLE = "payable", "Payable"


class ReconciliationCheck(models.TextChoices):
    LEDGER_MONTH = "ledger_month", "Imported lines against the provider's balance, per account and month"
    OPEN_ITEMS = "open_items", "Open items against the debtors or creditors accounts"


class SetAsideKind(models.TextChoices):
    """What kind of source record an import set aside."""

    ACCOUNT = "account", "Account"
    RELATION = "relation", "Relation"
    COST_CENTER = "cost_center", "Cost centre"
    TRANSACTION = "transaction", "Transaction"
    OPEN_ITEM = "open_item", "Open item"
    BALANCE = "balance", "Balance"
