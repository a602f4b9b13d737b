"""The API's pagination: cursors, whose position is checked before it reaches the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class CheckedCursorPagination(CursorPagination):
    """DRF's cursor pagination, with the position inside the cursor checked before it reaches the database.

    A cursor is base64 that a client can rewrite. DRF decodes it and hands its position to the filter as it is, so a
    valid cursor around nonsense (a word where an id belongs, a number past the column, a NUL character, a day no
    database column holds) ended in a server error. Here the position is cleaned by the ordering field itself
    (``Field.clean``: its type and its validators, such as the range of an integer column); a cursor that is not one
    of ours in any way, undecodable ones included, is a 400 that says so."""

    invalid_cursor_message = "Invalid cursor: follow the next or previous link of an earlier answer."

    # A queryset only, as DRF's CursorPagination orders it; the stub's BasePagination also admits a list.
    def paginate_queryset(self, queryset: QuerySet, request: Request, view: APIView | None = None) -> Any:  # type: ignore[override]
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._invalid() from None
        # DRF decodes the position as text; drf-stubs types Cursor.position as an int.
        if cursor is not None and cursor.position is not None and not self._valid_position(cursor.position):  # type: ignore[arg-type]
            raise self._invalid()
        return cursor

    def _valid_position(self, position: str) -> bool:
        name = self.ordering[0].lstrip("-")
        field = self._model._meta.pk if name == "pk" else self._model._meta.get_field(name)
        if "\x00" in position:
            return False
        try:
            value = field.clean(position, None)
            if isinstance(value, dt.datetime):
                if value.tzinfo is None:
                    return False  # ours carry their offset
                value.astimezone(dt.UTC)  # overflows for a time near the first or last day there is
        except (DjangoValidationError, OverflowError, TypeError, ValueError):
            return False
        return True

    def _invalid(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})


class ByIdPagination(CheckedCursorPagination):
    ordering = ("pk",)
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
