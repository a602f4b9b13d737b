"""The sidebar's sections, with the current page marked, for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import sections_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_sections": []}
    sections = []
    for section, items in sections_for(is_admin=membership.is_admin):
        links = []
        for item in items:
            url = item.url
            links.append({"label": item.label, "url": url, "icon": item.icon, "active": request.path.startswith(url)})
        sections.append((section, links))
    return {"nav_sections": sections}
