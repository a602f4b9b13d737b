"""Inviting a colleague: the e-mail and its link, expiry, single use, resend, revoke, roles, the last admin, and
isolation between organisations."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from monitr.accounts.models import User
from monitr.tenancy.invitations import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_for_secret,
    invitation_renew,
    invitation_revoke,
)
from monitr.tenancy.middleware import SESSION_KEY as ORGANIZATION_SESSION_KEY
from monitr.tenancy.models import Invitation, Membership, Role
from monitr.tenancy.services import LastAdminError, membership_change_role, membership_remove
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = reverse("tenancy:members")
INVITE = reverse("tenancy:member_invite")
ACCEPT = reverse("tenancy:invitation_accept")
NEW_PASSWORD = "plum tree orchard 42"


@pytest.fixture(autouse=True)
def _fast_passwords(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def link_in(message) -> str:
    match = re.search(r"http://testserver(/organisation/join/[^/\s]+/)", message.body)
    assert match, message.body
    return match[1]


def invite(client: Client, email: str = "new.colleague@example.test", role: str = "member"):
    return client.post(INVITE, {"email": email, "role": role}, follow=True)


def join(link: str, client: Client | None = None, **data: str):
    """Open the e-mail's link, then send the accept page's form."""
    client = client or Client()
    client.get(link)
    fields = {"first_name": "Noor", "last_name": "Visser", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(ACCEPT, {**fields, **data})


def test_an_admin_invites_and_the_e_mail_carries_a_working_link(admin_client, admin_user, organization, mailoutbox):
    response = invite(admin_client, "New.Colleague@Example.test", "admin")

    assert "Invitation sent to new.colleague@example.test" in response.content.decode()
    [message] = mailoutbox
    assert message.to == ["new.colleague@example.test"]
    assert message.reply_to == [admin_user.email]
    assert "Acme BV" in message.subject
    assert "as Admin" in message.body
    page = admin_client.get(MEMBERS).content.decode()
    assert 'data-invitation="new.colleague@example.test"' in page and "Pending" in page

    response = join(link_in(message))

    assert response.status_code == 302 and response.url == reverse("home")
    user = User.objects.get(email="new.colleague@example.test")
    assert user.check_password(NEW_PASSWORD) and user.get_full_name() == "Noor Visser"
    assert Membership.objects.get(user=user, organization=organization).role == Role.ADMIN
    assert Invitation.objects.get().accepted_by == user


def test_accepting_signs_the_new_person_in_to_the_invited_organisation(
    admin_client, organization, other_organization, mailoutbox
):
    invite(admin_client)
    client = Client()
    opened = client.get(link_in(mailoutbox[0]), follow=True)
    assert opened.redirect_chain == [(ACCEPT, 302)]
    assert "Join Acme BV" in opened.content.decode()
    response = client.post(
        ACCEPT,
        {"first_name": "Noor", "last_name": "", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert response.status_code == 200
    assert client.session[USER_SESSION_KEY]
    assert client.session[ORGANIZATION_SESSION_KEY] == organization.pk
    assert "Welcome to Acme BV" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith("/dashboards/")


def test_a_link_works_once(admin_client, mailoutbox):
    invite(admin_client)
    path = link_in(mailoutbox[0])
    assert join(path).status_code == 302

    again = join(path, first_name="Mallory")

    assert again.status_code == 410
    assert "used already" in again.content.decode()
    assert User.objects.get(email="new.colleague@example.test").first_name == "Noor"


@pytest.fixture
def days_later(settings):
    """The admin's session outlives the days these tests travel (it ends after two idle hours otherwise)."""
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 0


def test_a_link_expires(admin_client, mailoutbox, settings, days_later):
    settings.INVITATION_EXPIRY_DAYS = 7
    invite(admin_client)
    path = link_in(mailoutbox[0])

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = join(path)
        page = admin_client.get(MEMBERS).content.decode()

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="new.colleague@example.test").exists()
    assert "Expired" in page  # the admin sees it, and can resend


def test_resend_makes_a_new_link_and_the_old_one_stops_working(admin_client, mailoutbox, days_later):
    invite(admin_client)
    invitation = Invitation.objects.get()
    old = link_in(mailoutbox[0])

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = admin_client.post(reverse("tenancy:invitation_resend", args=[invitation.pk]), follow=True)
        assert "Invitation sent again" in response.content.decode()
        new = link_in(mailoutbox[1])
        assert new != old
        assert join(old).status_code == 404
        assert join(new).status_code == 302


def test_inviting_the_same_address_again_resends_with_the_new_role(admin_client, mailoutbox):
    invite(admin_client, role="member")
    invite(admin_client, role="admin")

    invitation = Invitation.objects.get()
    assert invitation.role == Role.ADMIN and len(mailoutbox) == 2
    assert join(link_in(mailoutbox[0])).status_code == 404
    assert join(link_in(mailoutbox[1])).status_code == 302


def test_a_revoked_invitation_cannot_be_accepted_or_resent(admin_client, admin_user, mailoutbox):
    invite(admin_client)
    invitation = Invitation.objects.get()

    response = admin_client.post(reverse("tenancy:invitation_revoke", args=[invitation.pk]), follow=True)

    assert "revoked" in response.content.decode()
    assert 'data-invitation="' not in response.content.decode()
    refused = join(link_in(mailoutbox[0]))
    assert refused.status_code == 410 and "withdrawn" in refused.content.decode()
    with pytest.raises(InvitationError):
        invitation_renew(invitation=invitation, by=admin_user)


def test_a_member_of_the_organisation_cannot_be_invited(admin_client, member_user, mailoutbox):
    response = invite(admin_client, member_user.email.upper())

    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert mailoutbox == [] and not Invitation.objects.exists()


def test_a_bad_address_or_role_is_refused_and_nothing_is_sent(admin_client, mailoutbox):
    assert invite(admin_client, "not-an-address").status_code == 400
    assert invite(admin_client, role="owner").status_code == 400
    assert mailoutbox == [] and not Invitation.objects.exists()


def test_members_see_the_list_read_only_and_cannot_invite(member_client, admin_user, organization, mailoutbox):
    page = member_client.get(MEMBERS).content.decode()

    assert admin_user.email in page
    assert "Invite a colleague" not in page and 'name="role"' not in page and "Remove" not in page
    assert invite(member_client).status_code == 403
    assert mailoutbox == []


def test_someone_with_an_account_signs_in_and_joins(admin_client, organization, other_organization, mailoutbox):
    existing = MembershipFactory(organization=other_organization).user
    invite(admin_client, existing.email)
    path = link_in(mailoutbox[0])

    assert "Sign in to join" in Client().get(path, follow=True).content.decode()
    assert join(path).status_code == 200  # no password set through the link for an existing account
    assert User.objects.get(pk=existing.pk).check_password(TEST_PASSWORD)

    client = Client()
    client.get(path)
    signed_in = client.post(reverse("login"), {"username": existing.email, "password": TEST_PASSWORD, "next": ACCEPT})
    assert signed_in.url == ACCEPT
    assert "Join Acme BV" in client.get(ACCEPT).content.decode()
    response = client.post(ACCEPT)

    assert response.status_code == 302
    assert Membership.objects.get(user=existing, organization=organization).role == Role.MEMBER
    assert client.session[ORGANIZATION_SESSION_KEY] == organization.pk


def test_a_link_opened_while_signed_in_as_someone_else_changes_nothing(admin_client, member_client, mailoutbox):
    invite(admin_client, "new.colleague@example.test")
    path = link_in(mailoutbox[0])

    assert member_client.get(path, follow=True).status_code == 403
    assert member_client.post(ACCEPT).status_code == 403
    assert Invitation.objects.get().accepted_at is None


def test_a_person_added_by_command_without_password_completes_their_account(admin_client, organization, mailoutbox):
    User.objects.create_user(email="pending@example.test")  # no usable password
    invite(admin_client, "pending@example.test", "admin")

    assert join(link_in(mailoutbox[0])).status_code == 302
    assert User.objects.get(email="pending@example.test").check_password(NEW_PASSWORD)


def test_a_weak_password_is_refused_with_a_reason(admin_client, mailoutbox):
    invite(admin_client)

    response = join(link_in(mailoutbox[0]), new_password1="short", new_password2="short")

    assert response.status_code == 400
    assert "too short" in response.content.decode()
    assert not User.objects.filter(email="new.colleague@example.test").exists()


def test_an_unknown_link_is_a_404_that_says_what_to_do(client):
    response = client.get(reverse("tenancy:invitation_link", args=["made-up"]), follow=True)

    assert response.status_code == 404
    assert "newest e-mail" in response.content.decode()


def test_only_a_digest_of_the_link_is_stored(admin_client, mailoutbox):
    invite(admin_client)
    secret = link_in(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]

    row = Invitation.objects.values().get()
    assert secret not in repr(row)
    assert invitation_for_secret(secret).pk == row["id"]


def test_no_response_after_the_link_carries_the_secret(admin_client, mailoutbox):
    invite(admin_client)
    link = link_in(mailoutbox[0])
    secret = link.rstrip("/").rsplit("/", 1)[1]
    client = Client()

    opened = client.get(link)
    refused = client.post(ACCEPT, {"first_name": "Noor", "new_password1": "x", "new_password2": "y"})

    assert opened.status_code == 302 and opened.url == ACCEPT
    assert refused.status_code == 400 and secret not in refused.content.decode()


def test_another_organisations_invitations_are_not_found(admin_client, other_organization):
    theirs = invitation_create(
        organization=other_organization,
        email="x@example.test",
        role=Role.MEMBER,
        invited_by=MembershipFactory(organization=other_organization, role=Role.ADMIN).user,
    ).invitation

    assert admin_client.post(reverse("tenancy:invitation_resend", args=[theirs.pk])).status_code == 404
    assert admin_client.post(reverse("tenancy:invitation_revoke", args=[theirs.pk])).status_code == 404
    assert "x@example.test" not in admin_client.get(MEMBERS).content.decode()
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_another_organisations_members_cannot_be_changed(admin_client, other_organization):
    theirs = MembershipFactory(organization=other_organization, role=Role.MEMBER)

    assert admin_client.post(reverse("tenancy:member_role", args=[theirs.pk]), {"role": "admin"}).status_code == 404
    assert admin_client.post(reverse("tenancy:member_remove", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.MEMBER


def test_an_invitation_to_one_organisation_joins_only_that_one(
    admin_client, organization, other_organization, mailoutbox
):
    invite(admin_client)
    join(link_in(mailoutbox[0]))

    user = User.objects.get(email="new.colleague@example.test")
    assert list(Membership.objects.filter(user=user).values_list("organization", flat=True)) == [organization.pk]


def test_an_admin_changes_a_role(admin_client, member_user, organization):
    membership = Membership.objects.get(user=member_user, organization=organization)

    response = admin_client.post(reverse("tenancy:member_role", args=[membership.pk]), {"role": "admin"}, follow=True)

    assert "is now Admin of Acme BV" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_members_cannot_change_roles(member_client, member_user, organization):
    membership = Membership.objects.get(user=member_user, organization=organization)

    assert (
        member_client.post(reverse("tenancy:member_role", args=[membership.pk]), {"role": "admin"}).status_code == 403
    )
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


def test_the_last_admin_can_neither_demote_nor_remove_themself(admin_client, admin_user, organization):
    mine = Membership.objects.get(user=admin_user, organization=organization)

    demoted = admin_client.post(reverse("tenancy:member_role", args=[mine.pk]), {"role": "member"}, follow=True)
    removed = admin_client.post(reverse("tenancy:member_remove", args=[mine.pk]), follow=True)

    assert "is the last admin of Acme BV" in demoted.content.decode()
    assert "is the last admin of Acme BV" in removed.content.decode()
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN
    page = admin_client.get(MEMBERS).content.decode()
    assert "data-last-admin" in page and f'action="{reverse("tenancy:member_role", args=[mine.pk])}"' not in page


def test_an_admin_with_a_fellow_admin_may_step_down(admin_client, admin_user, organization):
    MembershipFactory(organization=organization, role=Role.ADMIN)
    mine = Membership.objects.get(user=admin_user, organization=organization)

    admin_client.post(reverse("tenancy:member_role", args=[mine.pk]), {"role": "member"})

    mine.refresh_from_db()
    assert mine.role == Role.MEMBER
    assert "Invite a colleague" not in admin_client.get(MEMBERS).content.decode()


def test_two_admins_cannot_both_step_down(organization):
    first, second = (MembershipFactory(organization=organization, role=Role.ADMIN) for _ in range(2))

    membership_change_role(membership=first, role=Role.MEMBER)
    with pytest.raises(LastAdminError):
        membership_change_role(membership=second, role=Role.MEMBER)
    with pytest.raises(LastAdminError):
        membership_remove(membership=second)


def test_accepting_for_an_existing_member_keeps_their_role(organization, admin_user):
    issued = invitation_create(
        organization=organization, email="later@example.test", role=Role.MEMBER, invited_by=admin_user
    )
    user = UserFactory(email="later@example.test")
    MembershipFactory(user=user, organization=organization, role=Role.ADMIN)  # made admin by command meanwhile

    membership = invitation_accept(secret=issued.secret, user=user)

    assert membership.role == Role.ADMIN


def test_revoking_an_accepted_invitation_is_refused(organization, admin_user):
    issued = invitation_create(
        organization=organization, email="later@example.test", role=Role.MEMBER, invited_by=admin_user
    )
    invitation_accept(secret=issued.secret, user=UserFactory(email="later@example.test"))

    with pytest.raises(InvitationError):
        invitation_revoke(invitation=issued.invitation, by=admin_user)


def test_a_mail_server_that_refuses_leaves_the_invitation_to_resend(admin_client, monkeypatch, mailoutbox):
    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)

    response = invite(admin_client)

    assert "could not be sent" in response.content.decode()
    assert Invitation.objects.get().accepted_at is None
