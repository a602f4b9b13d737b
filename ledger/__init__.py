"""Provider-neutral accounting data: administrations, accounts, relations, transactions and open items."""
