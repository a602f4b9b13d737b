"""The dashboards' part of the read API: the chart of accounts with each account's reporting line, the transactions
explorer, the statements, and the open items with their aging."""
