"""Server-rendered dashboards over the imported books."""
