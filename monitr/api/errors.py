"""The API's error answers as the schema documents them: DRF's JSON, a ``detail`` message or a message per bad
parameter."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

_ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="A `detail` message, or a message per bad parameter.")
# Documented on every operation: what a bad parameter (a cursor that is not one of ours too), a missing or revoked
# token, a non-member or a non-admin, and another organisation's id get.
ERRORS = {400: _ERROR, 401: _ERROR, 403: _ERROR, 404: _ERROR}
