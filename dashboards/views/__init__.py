"""The dashboards' views, one module per dashboard."""
