"""The sidebar's sections, with the current page marked, for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import sections_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_sections": []}
    found = sections_for(is_admin=membership.is_admin)
    # The page's own link: the longest whose address the page's begins with (Expected cash, under Outstanding
    # Items' address, marks itself, not both).
    matching = [item.url for _section, items in found for item in items if request.path.startswith(item.url)]
    current = max(matching, key=len, default=None)
    sections = []
    for section, items in found:
        links = []
        for item in items:
            url = item.url
            links.append({"label": item.label, "url": url, "icon": item.icon, "active": url == current})
        sections.append((section, links))
    return {"nav_sections": sections}
