"""The integrations' part of the read API: sync runs, and an admin's request to sync a connection now."""
