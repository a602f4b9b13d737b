"""An unexpected error while credentials are checked is reported (logs, Django's error reports and debug page)
without the credentials: not the posted fields, not the variables of the frames that held them."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import reverse
from django.views.debug import ExceptionReporter

from integrations.providers import AdministrationChoice, CredentialsCheck
from integrations.services import connection_update_credentials
from tests.connections import connect

pytestmark = pytest.mark.django_db

KEY = "ReportKeyCanary-1a3c5e7f9b2d4f6a8c0e2b4d6f8a"
CODE_1 = "REPORTCODEONE-7D9F1B3D5F7A"
CODE_2 = "report-code-two-8e0a2c4e6a8c"


def test_a_credentials_check_never_shows_its_secret():
    check = CredentialsCheck(
        secret={"api_token": KEY}, hint="••••e8fa", transport="rest", administrations=(AdministrationChoice("g", "BV"),)
    )

    assert KEY not in repr(check) and KEY not in str(check) and "••••e8fa" in repr(check)


def _crash(*_args, **_kwargs):
    raise RuntimeError("the gateway broke")


def _report(caplog) -> str:
    (record,) = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    reporter = ExceptionReporter(record.request, *record.exc_info)
    return reporter.get_traceback_text() + reporter.get_traceback_html()


@pytest.mark.parametrize(
    "posted",
    [{"api_key": KEY}, {"username": "canary", "security_code_1": CODE_1, "security_code_2": CODE_2}],
    ids=["api key", "legacy"],
)
def test_the_error_report_of_a_crash_in_the_add_wizard_holds_no_credentials(admin_user, caplog, monkeypatch, posted):
    monkeypatch.setattr("eboekhouden.provider.open_gateway", _crash)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(reverse("integrations:add", args=["eboekhouden"]), posted)

    assert response.status_code == 500
    report = _report(caplog)
    assert "the gateway broke" in report and "check_credentials" in report
    for secret in (KEY, CODE_1, CODE_2):
        assert secret not in report and secret[:12] not in report


def test_the_error_report_of_a_crash_while_updating_a_key_holds_no_credentials(
    admin_user, organization, sandbox_settings, eboekhouden_sandbox_administration, caplog, monkeypatch
):
    connection = connect(organization, eboekhouden_sandbox_administration)

    def crash_after_the_check(*, connection, check):
        raise RuntimeError("the database broke")

    monkeypatch.setattr("integrations.services.connection_update_credentials", crash_after_the_check, raising=True)
    monkeypatch.setattr(
        "eboekhouden.provider.EboekhoudenProvider.check_credentials",
        lambda self, cleaned: CredentialsCheck({"api_token": KEY}, "••••", "rest", ()),
    )
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.post(reverse("integrations:update_key", args=[connection.pk]), {"api_key": KEY})

    assert response.status_code == 500
    report = _report(caplog)
    assert "the database broke" in report and connection_update_credentials.__name__ in report
    assert KEY not in report and KEY[:12] not in report
