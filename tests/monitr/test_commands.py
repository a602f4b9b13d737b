"""The organisation commands ops use: create_organization, add_member and remove_member."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from monitr.accounts.tokens import api_token_check, api_token_create
from monitr.tenancy.models import Membership, Organization
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_create_organization_makes_the_organisation_and_its_admin():
    out = io.StringIO()

    call_command(
        "create_organization",
        "Bakkerij De Vries BV",
        admin="Anna@Example.test",
        password="Rogge-brood-42",
        stdout=out,
    )

    organization = Organization.objects.get(slug="bakkerij-de-vries-bv")
    membership = Membership.objects.get(organization=organization)
    assert membership.role == "admin"
    assert membership.user.email == "anna@example.test"
    assert membership.user.check_password("Rogge-brood-42")
    assert "Created organisation 'Bakkerij De Vries BV'" in out.getvalue()


def test_create_organization_refuses_a_weak_password():
    with pytest.raises(CommandError, match=r"too short|too common"):
        call_command("create_organization", "Weak BV", admin="weak@example.test", password="12345")

    assert not Organization.objects.exists()


def test_create_organization_without_a_terminal_asks_for_password_flag(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    with pytest.raises(CommandError, match="--password"):
        call_command("create_organization", "Quiet BV", admin="quiet@example.test")


def test_create_organization_asks_for_the_password_in_a_terminal(monkeypatch):
    from monitr.tenancy.management.commands import create_organization

    monkeypatch.setattr(create_organization.Command, "stdin_is_tty", staticmethod(lambda: True))
    answers = iter(["Lange-wandeling-9", "Lange-wandeling-9"])
    monkeypatch.setattr(create_organization.getpass, "getpass", lambda prompt: next(answers))

    call_command("create_organization", "Asked BV", admin="asked@example.test", stdout=io.StringIO())

    assert get_user_model().objects.get(email="asked@example.test").check_password("Lange-wandeling-9")


def test_create_organization_reuses_an_existing_user(admin_user):
    call_command("create_organization", "Second BV", admin=admin_user.email, stdout=io.StringIO())

    assert Membership.objects.filter(user=admin_user).count() == 2


def test_add_member_adds_and_then_changes_the_role(organization):
    call_command("add_member", organization.slug, "piet@example.test", role="member", stdout=io.StringIO())
    call_command("add_member", organization.slug, "piet@example.test", role="admin", stdout=io.StringIO())

    membership = Membership.objects.get(organization=organization, user__email="piet@example.test")
    assert membership.role == "admin"


def test_add_member_to_an_unknown_organisation_fails_clearly():
    with pytest.raises(CommandError, match="No organisation has the slug 'nope'"):
        call_command("add_member", "nope", "piet@example.test", role="member")


def test_add_member_refuses_an_unknown_role(organization):
    with pytest.raises(CommandError):
        call_command("add_member", organization.slug, "piet@example.test", role="owner")


def test_add_member_refuses_to_replace_an_existing_users_password(admin_user, other_organization):
    with pytest.raises(CommandError, match=r"already has an account.*--reset-password"):
        call_command("add_member", other_organization.slug, admin_user.email, password="Nieuw-wachtwoord-7")

    admin_user.refresh_from_db()
    assert admin_user.check_password(TEST_PASSWORD)
    assert not Membership.objects.filter(user=admin_user, organization=other_organization).exists()


def test_add_member_replaces_an_existing_users_password_when_asked(admin_user, other_organization):
    call_command(
        "add_member",
        other_organization.slug,
        admin_user.email,
        password="Nieuw-wachtwoord-7",
        reset_password=True,
        stdout=io.StringIO(),
    )

    admin_user.refresh_from_db()
    assert admin_user.check_password("Nieuw-wachtwoord-7")


def test_add_member_sets_the_password_of_a_new_user(organization):
    call_command("add_member", organization.slug, "nieuw@example.test", password="Eerste-keer-3", stdout=io.StringIO())

    assert get_user_model().objects.get(email="nieuw@example.test").check_password("Eerste-keer-3")


def test_add_member_reset_password_needs_the_password(admin_user, organization):
    with pytest.raises(CommandError, match="--reset-password needs the new password in --password"):
        call_command("add_member", organization.slug, admin_user.email, reset_password=True)


def test_create_organization_refuses_to_replace_an_existing_users_password(admin_user):
    with pytest.raises(CommandError, match=r"already has an account.*--reset-password"):
        call_command("create_organization", "Tweede BV", admin=admin_user.email, password="Nieuw-wachtwoord-7")

    admin_user.refresh_from_db()
    assert admin_user.check_password(TEST_PASSWORD)
    assert not Organization.objects.filter(name="Tweede BV").exists()


def test_create_organization_replaces_an_existing_users_password_when_asked(admin_user):
    call_command(
        "create_organization",
        "Tweede BV",
        admin=admin_user.email,
        password="Nieuw-wachtwoord-7",
        reset_password=True,
        stdout=io.StringIO(),
    )

    admin_user.refresh_from_db()
    assert admin_user.check_password("Nieuw-wachtwoord-7")


def test_remove_member_removes_the_member_and_revokes_their_tokens(organization, member_user):
    secret = api_token_create(user=member_user, organization=organization, name="Power BI").secret
    out = io.StringIO()

    call_command("remove_member", organization.slug, member_user.email.upper(), stdout=out)

    assert not Membership.objects.filter(user=member_user, organization=organization).exists()
    assert "1 API token(s) revoked" in out.getvalue()
    call_command("add_member", organization.slug, member_user.email, stdout=io.StringIO())
    assert api_token_check(secret) is None  # added again: the old token stays revoked


def test_remove_member_refuses_the_last_admin(organization, admin_user):
    with pytest.raises(CommandError, match="last admin of Acme BV"):
        call_command("remove_member", organization.slug, admin_user.email)

    assert Membership.objects.filter(user=admin_user, organization=organization).exists()


def test_remove_member_of_someone_who_is_not_a_member_fails_clearly(organization, outsider):
    with pytest.raises(CommandError, match="is not a member of an organisation with the slug"):
        call_command("remove_member", organization.slug, outsider.email)
