"""The read API of the imported books, under /api/v1/: administrations, accounts, relations, transactions, reports."""
