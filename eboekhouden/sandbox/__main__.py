"""``python -m eboekhouden.sandbox``: run the sandbox without Django (benchmarks, scripts, containers)."""

from __future__ import annotations

from .cli import main

main()
