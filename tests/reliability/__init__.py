"""Reliability suites: chaos at the source, crashed workers, concurrent triggers, edits during a sync."""
