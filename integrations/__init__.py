"""Provider-neutral integrations: connections, credentials, the sync engine and the Integrations pages."""
