"""Tenancy: scoping, roles, the organisation switcher and the pages that depend on them."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.urls import reverse

from monitr.tenancy.middleware import SESSION_KEY
from monitr.tenancy.models import Membership
from monitr.tenancy.scoping import get_for_organization_or_404
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_scoped_queryset_never_returns_another_organisations_rows(organization, other_organization):
    mine = MembershipFactory.create_batch(3, organization=organization)
    MembershipFactory.create_batch(4, organization=other_organization)

    scoped = Membership.objects.for_organization(organization)

    assert set(scoped) == set(mine)


def test_scoping_keeps_working_after_further_filters(organization, other_organization):
    theirs = MembershipFactory(organization=other_organization, role="admin")

    scoped = Membership.objects.for_organization(organization).filter(role="admin")

    assert theirs not in scoped


def test_another_organisations_object_is_not_found(organization, other_organization):
    theirs = MembershipFactory(organization=other_organization)

    with pytest.raises(Http404):
        get_for_organization_or_404(Membership, organization, pk=theirs.pk)


def test_scoping_needs_an_organisation(organization):
    with pytest.raises(ValueError):
        Membership.objects.for_organization(None)


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(reverse("tenancy:members"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_member_sees_the_members_of_their_organisation_only(member_client, organization, other_organization):
    stranger = MembershipFactory(organization=other_organization).user

    response = member_client.get(reverse("tenancy:members"))

    assert response.status_code == 200
    assert organization.name in response.content.decode()
    assert stranger.email not in response.content.decode()


def test_a_user_without_organisation_gets_a_clear_page(client, outsider):
    client.force_login(outsider)

    response = client.get(reverse("tenancy:members"))

    assert response.status_code == 403
    assert "not in an organisation yet" in response.content.decode()


def test_the_start_page_leads_to_the_first_page_of_the_sidebar(member_client):
    from monitr.web.navigation import items_for

    response = member_client.get("/")

    assert response.status_code == 302
    assert response.url == items_for(is_admin=False)[0].url


def test_the_sidebar_and_user_menu_are_on_every_page(member_client, member_user):
    html = member_client.get(reverse("tenancy:members")).content.decode()

    assert 'aria-label="Main navigation"' in html
    assert 'href="/organisation/members/"' in html
    assert member_user.email in html
    assert reverse("logout") in html


class TestOrganisationSwitcher:
    @pytest.fixture
    def two_org_user(self, organization, other_organization):
        membership = MembershipFactory(organization=organization, role="member")
        MembershipFactory(organization=other_organization, user=membership.user, role="admin")
        return membership.user

    def test_the_switcher_lists_every_organisation_of_the_user(self, client, two_org_user):
        client.force_login(two_org_user)

        html = client.get(reverse("tenancy:members")).content.decode()

        assert 'id="org-switch"' in html
        assert "Acme BV" in html and "Other BV" in html

    def test_a_user_in_one_organisation_sees_no_switcher(self, member_client):
        html = member_client.get(reverse("tenancy:members")).content.decode()

        assert 'id="org-switch"' not in html

    def test_switching_changes_the_organisation_and_is_remembered(self, client, two_org_user, other_organization):
        client.force_login(two_org_user)

        response = client.post(
            reverse("tenancy:switch"),
            {"organization": other_organization.pk, "next": "/organisation/members/"},
        )

        assert response.status_code == 302
        assert response.url == "/organisation/members/"
        assert client.session[SESSION_KEY] == other_organization.pk
        html = client.get(reverse("tenancy:members")).content.decode()
        assert "Members of Other BV" in html

    def test_switching_to_an_organisation_one_is_not_in_is_refused(self, member_client, other_organization):
        member_client.post(reverse("tenancy:switch"), {"organization": other_organization.pk})

        html = member_client.get(reverse("tenancy:members")).content.decode()
        assert "Members of Acme BV" in html
        assert SESSION_KEY not in member_client.session

    def test_the_switch_never_redirects_off_site(self, client, two_org_user, other_organization):
        client.force_login(two_org_user)

        response = client.post(
            reverse("tenancy:switch"),
            {"organization": other_organization.pk, "next": "https://evil.example/"},
        )

        assert response.url == "/"

    def test_the_role_follows_the_chosen_organisation(self, client, two_org_user, other_organization):
        client.force_login(two_org_user)
        client.post(reverse("tenancy:switch"), {"organization": other_organization.pk})

        html = client.get(reverse("tenancy:members")).content.decode()

        assert "Admin of Other BV" in html


def test_an_organisation_that_was_left_is_no_longer_used(client, organization, other_organization):
    first = MembershipFactory(organization=organization)
    MembershipFactory(organization=other_organization, user=first.user)
    client.force_login(first.user)
    client.post(reverse("tenancy:switch"), {"organization": other_organization.pk})
    Membership.objects.filter(user=first.user, organization=other_organization).delete()

    html = client.get(reverse("tenancy:members")).content.decode()

    assert "Members of Acme BV" in html


def test_organisations_with_the_same_name_get_distinct_slugs(db):
    from monitr.tenancy.services import organization_create

    a = organization_create(name="Bakkerij BV", admin_email="a@example.test")
    b = organization_create(name="Bakkerij BV", admin_email="b@example.test")

    assert a.slug == "bakkerij-bv"
    assert b.slug == "bakkerij-bv-2"
