"""The e-Boekhouden.nl provider: its API clients, its streams, and the sandbox that fakes the service."""
