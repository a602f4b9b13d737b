"""How a request to the API says who it is: a personal API token (for programs) or the browser's session.

The token comes first, so that DRF answers a request with neither with the token's challenge (401 ``Bearer``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from monitr.accounts.models import ApiToken, User
from monitr.accounts.tokens import api_token_check
from monitr.tenancy.requests import TenantRequest

if TYPE_CHECKING:
    from drf_spectacular.openapi import AutoSchema

SCHEME = "Bearer"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer mtr_…``; sets the request's organisation and membership from the token, exactly as the
    session middleware gives them to a browser, so every API view is scoped the same way."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != SCHEME:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the token after “Bearer ”.")
        found = api_token_check(header[1])
        if found is None:
            raise exceptions.AuthenticationFailed("Unknown, revoked or no longer valid API token.")
        token, membership = found
        # The request OrganizationMiddleware has passed: the token decides what it set from the session.
        django_request = cast(TenantRequest, request._request)
        django_request.organization = membership.organization
        django_request.membership = membership
        django_request.memberships = [membership]
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return SCHEME


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the tokens in the OpenAPI schema as HTTP bearer authentication."""

    target_class = "monitr.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (mtr_…), made on the API tokens settings page.",
        }


AUTHENTICATION = [ApiTokenAuthentication, authentication.SessionAuthentication]
