"""Removing a member: from the members page or the service, their API tokens for that organisation are revoked, and
stay revoked when the person is added again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from monitr.accounts.models import ApiToken
from monitr.accounts.tokens import api_token_check, api_token_create
from monitr.tenancy.models import Membership, Role
from monitr.tenancy.services import membership_remove, membership_set
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

MEMBERS = reverse("tenancy:members")


def remove_url(membership: Membership) -> str:
    return reverse("tenancy:member_remove", args=[membership.pk])


@pytest.fixture
def member_secret(member_user, organization) -> str:
    return api_token_create(user=member_user, organization=organization, name="Power BI").secret


def test_an_admin_removes_a_member_and_the_members_tokens_stop_working(
    admin_client, member_user, organization, member_secret
):
    assert api_token_check(member_secret) is not None
    membership = Membership.objects.get(user=member_user, organization=organization)

    response = admin_client.post(remove_url(membership), follow=True)

    assert response.redirect_chain[-1][0] == MEMBERS
    assert f"{member_user.email} removed from Acme BV and 1 API token revoked" in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert api_token_check(member_secret) is None
    assert ApiToken.objects.get(user=member_user).revoked_at is not None


def test_a_member_removed_on_the_page_and_added_again_gets_no_old_token_back(
    admin_client, member_user, organization, member_secret
):
    admin_client.post(remove_url(Membership.objects.get(user=member_user, organization=organization)))

    membership_set(organization=organization, email=member_user.email, role=Role.MEMBER)

    assert api_token_check(member_secret) is None
    assert not ApiToken.objects.filter(user=member_user, revoked_at=None).exists()


def test_a_membership_deleted_without_the_service_leaves_no_working_token_on_re_adding(
    member_user, organization, member_secret
):
    Membership.objects.filter(user=member_user, organization=organization).delete()

    membership_set(organization=organization, email=member_user.email, role=Role.MEMBER)

    assert api_token_check(member_secret) is None


def test_removing_a_member_revokes_only_their_tokens_for_that_organisation(
    member_user, admin_user, organization, other_organization, member_secret
):
    MembershipFactory(user=member_user, organization=other_organization)
    elsewhere = api_token_create(user=member_user, organization=other_organization, name="other").secret
    colleague = api_token_create(user=admin_user, organization=organization, name="admin's").secret

    revoked = membership_remove(membership=Membership.objects.get(user=member_user, organization=organization))

    assert revoked == 1
    assert api_token_check(member_secret) is None
    assert api_token_check(elsewhere) is not None
    assert api_token_check(colleague) is not None


def test_a_member_cannot_remove_anyone(member_client, admin_user, organization):
    membership = Membership.objects.get(user=admin_user, organization=organization)

    response = member_client.post(remove_url(membership))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_another_organisations_member_is_not_found(admin_client, other_organization):
    theirs = MembershipFactory(organization=other_organization)

    response = admin_client.post(remove_url(theirs))

    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_the_last_admin_cannot_be_removed(admin_client, admin_user, member_user, organization):
    membership = Membership.objects.get(user=admin_user, organization=organization)

    response = admin_client.post(remove_url(membership), follow=True)

    assert "is the last admin of Acme BV" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    with pytest.raises(ValueError, match="last admin"):
        membership_remove(membership=membership)


def test_an_admin_who_removes_themselves_goes_to_the_start_page(admin_client, admin_user, organization):
    MembershipFactory(organization=organization, role=Role.ADMIN)
    membership = Membership.objects.get(user=admin_user, organization=organization)

    response = admin_client.post(remove_url(membership))

    assert response.status_code == 302 and response.url == "/"
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_only_admins_see_the_remove_buttons(admin_client, member_client, member_user):
    assert f'aria-label="Remove {member_user.email}"' in admin_client.get(MEMBERS).content.decode()
    assert "/remove/" not in member_client.get(MEMBERS).content.decode()


def test_the_only_admin_is_offered_no_remove_button_a_second_admin_makes_both_removable(
    admin_client, admin_user, organization
):
    page = admin_client.get(MEMBERS).content.decode()
    assert f'aria-label="Remove {admin_user.email}"' not in page
    assert "data-last-admin" in page

    other = MembershipFactory(organization=organization, role=Role.ADMIN)

    page = admin_client.get(MEMBERS).content.decode()
    assert f'aria-label="Remove {admin_user.email}"' in page
    assert f'aria-label="Remove {other.user.email}"' in page
    assert "data-last-admin" not in page
