"""Read selectors of the dashboards: keyword-only, typed, aggregating in the database."""
