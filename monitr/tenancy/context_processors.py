"""The organisation switcher's data for every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def organizations(request: HttpRequest) -> dict[str, Any]:
    return {
        "current_organization": getattr(request, "organization", None),
        "current_membership": getattr(request, "membership", None),
        "user_memberships": getattr(request, "memberships", []),
    }
