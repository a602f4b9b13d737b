"""Monitr's read API: what every app's endpoints share (authentication, permissions, error shapes, pagination, the
base view) and the one URL configuration that mounts them under ``/api/v1/`` beside the schema and its docs page.

Each app keeps its own endpoints in its own ``api`` package; nothing here imports an app."""
