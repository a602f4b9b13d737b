"""Monitr's benchmarks: ``python bench/run.py`` (``make bench``) runs them all; each script also runs alone."""
