"""The dashboards' exports: what each holds (:mod:`.sheets`) and one writer for CSV and XLSX (:mod:`.writer`)."""

from .sheets import TABLES, forecast_sheet, item_sheet, relation_sheet, transaction_sheet
from .writer import FORMATS, Column, Sheet, SpreadsheetLocale, guard_formula, respond

__all__ = [
    "FORMATS",
    "TABLES",
    "Column",
    "Sheet",
    "SpreadsheetLocale",
    "forecast_sheet",
    "guard_formula",
    "item_sheet",
    "relation_sheet",
    "respond",
    "transaction_sheet",
]
