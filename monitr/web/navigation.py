"""The sidebar: each app registers the pages it has, so the sidebar never links to a page that does not exist.

Apps call :func:`register` from ``AppConfig.ready``. Sections appear in the order of their lowest item.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True, slots=True)
class NavItem:
    # Lazy translations: the sidebar is registered once, at start-up, and read in each request's language.
    section: StrOrPromise
    label: StrOrPromise
    url_name: str
    icon: str
    order: int = 50
    admin_only: bool = False

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.url_name] = item


def items_for(*, is_admin: bool) -> list[NavItem]:
    return sorted(
        (item for item in _ITEMS.values() if is_admin or not item.admin_only),
        key=lambda i: (i.order, i.label),
    )


def sections_for(*, is_admin: bool) -> list[tuple[StrOrPromise, list[NavItem]]]:
    sections: dict[StrOrPromise, list[NavItem]] = {}
    for item in items_for(is_admin=is_admin):
        sections.setdefault(item.section, []).append(item)
    return list(sections.items())
