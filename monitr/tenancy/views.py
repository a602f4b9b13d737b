"""The organisation switcher, the members page (invite, resend, revoke, change a role, remove) and accepting an
invitation by its link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from monitr.accounts.models import User
from monitr.logs import get_logger
from monitr.mail.services import MailNotDelivered
from monitr.web.outbox import outbox_open_to

from .access import admin_required, member_required
from .forms import InviteForm, JoinForm, RoleForm
from .invitations import (
    InvitationError,
    InvitationState,
    IssuedInvitation,
    invitation_accept,
    invitation_accept_as_new_user,
    invitation_create,
    invitation_for_secret,
    invitation_renew,
    invitation_revoke,
    invitation_send,
    invitation_state,
)
from .middleware import SESSION_KEY, remember_organization
from .models import Invitation, Membership
from .requests import MemberRequest, TenantRequest
from .scoping import get_for_organization_or_404
from .services import LastAdminError, membership_change_role, membership_remove

log = get_logger(__name__)

INVITATION_SESSION_KEY = "monitr_invitation"


@require_POST
@member_required
def switch_organization(request: MemberRequest) -> HttpResponse:
    try:
        organization_id = int(request.POST.get("organization", ""))
    except ValueError:
        organization_id = 0
    if not remember_organization(request, organization_id):
        messages.error(request, _("You are not a member of that organisation."))
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = "/"
    # A URL, never a view name: redirect() would try to reverse any other text and fail.
    return HttpResponseRedirect(target)


@member_required
def members(request: MemberRequest) -> HttpResponse:
    return _members_page(request)


def _members_page(request: MemberRequest, invite_form: InviteForm | None = None) -> HttpResponse:
    """The members page; after a refused invitation with its form, errors shown, as a 400."""
    memberships = list(
        Membership.objects.for_organization(request.organization).select_related("user").order_by("role", "user__email")
    )
    # The last admin can be neither removed nor made a member (the services refuse): no such control is offered.
    only_admin = sum(1 for m in memberships if m.is_admin) == 1
    context: dict[str, object] = {"memberships": memberships, "only_admin": only_admin}
    if request.membership.is_admin:
        invitations = Invitation.objects.for_organization(request.organization).open().select_related("invited_by")
        context.update(
            invitations=[(invitation, invitation_state(invitation)) for invitation in invitations],
            invite_form=invite_form or InviteForm(),
            invitation_days=settings.INVITATION_EXPIRY_DAYS,
            role_choices=Membership._meta.get_field("role").choices,
            outbox_url=reverse("outbox") if outbox_open_to(request.user) else None,
        )
    return render(request, "tenancy/members.html", context, status=400 if invite_form else 200)


def _send(request: MemberRequest, issued: IssuedInvitation) -> bool:
    """E-mail the invitation; on a mail server's refusal say so (the invitation stays, to send again) and False."""
    link = request.build_absolute_uri(reverse("tenancy:invitation_link", args=[issued.secret]))
    try:
        invitation_send(issued, link=link)
    except MailNotDelivered:  # recorded with what the mail server said, on the E-mail page
        log.warning("members.invitation_not_sent", invitation_id=issued.invitation.pk)
        messages.error(
            request,
            _("The invitation to %(email)s is saved, but the e-mail could not be sent. Try Resend in a moment.")
            % {"email": issued.invitation.email},
        )
        return False
    return True


@require_POST
@admin_required
def member_invite(request: MemberRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, invite_form=form)
    try:
        issued = invitation_create(
            organization=request.organization,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
        )
    except InvitationError as exc:
        form.add_error("email", str(exc))
        return _members_page(request, invite_form=form)
    if _send(request, issued):
        messages.success(
            request,
            ngettext(
                "Invitation sent to %(email)s. The link in it works for %(days)s day.",
                "Invitation sent to %(email)s. The link in it works for %(days)s days.",
                settings.INVITATION_EXPIRY_DAYS,
            )
            % {"email": issued.invitation.email, "days": settings.INVITATION_EXPIRY_DAYS},
        )
    return redirect("tenancy:members")


def _refused(request: MemberRequest, reason: str) -> HttpResponse:
    """Back to the members page, saying why nothing changed."""
    messages.error(request, reason)
    return redirect("tenancy:members")


@require_POST
@admin_required
def invitation_resend(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = get_for_organization_or_404(Invitation, request.organization, pk=pk)
    try:
        issued = invitation_renew(invitation=invitation, by=request.user)
    except InvitationError as exc:
        return _refused(request, str(exc))
    if _send(request, issued):
        messages.success(
            request,
            _("Invitation sent again to %(email)s; the link in the earlier e-mail no longer works.")
            % {"email": invitation.email},
        )
    return redirect("tenancy:members")


@require_POST
@admin_required
def invitation_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = get_for_organization_or_404(Invitation, request.organization, pk=pk)
    try:
        invitation_revoke(invitation=invitation, by=request.user)
    except InvitationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Invitation to %(email)s revoked: its link no longer works.") % {"email": invitation.email}
        )
    return redirect("tenancy:members")


@require_POST
@admin_required
def member_role(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_for_organization_or_404(Membership, request.organization, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _refused(request, _("Choose a role: admin or member."))
    try:
        membership = membership_change_role(membership=membership, role=form.cleaned_data["role"], by=request.user)
    except LastAdminError as exc:
        return _refused(request, _("%(reason)s Make someone else admin first.") % {"reason": exc})
    messages.success(
        request,
        _("%(email)s is now %(role)s of %(organization)s.")
        % {"email": membership.user.email, "role": membership.get_role_display(), "organization": request.organization},
    )
    return redirect("tenancy:members")


@require_POST
@admin_required
def member_remove(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_for_organization_or_404(Membership, request.organization, pk=pk)
    try:
        revoked = membership_remove(membership=membership, by=request.user)
    except LastAdminError as exc:
        return _refused(request, _("%(reason)s Make someone else admin first.") % {"reason": exc})
    values = {"email": membership.user.email, "organization": membership.organization.name, "count": revoked}
    if revoked:
        text = ngettext(
            "%(email)s removed from %(organization)s and %(count)d API token revoked.",
            "%(email)s removed from %(organization)s and %(count)d API tokens revoked.",
            revoked,
        )
    else:
        text = _("%(email)s removed from %(organization)s.")
    messages.success(request, text % values)
    if membership.user_id == request.user.pk:
        return redirect("/")  # one's own membership is gone: the members page is no longer one's to see
    return redirect("tenancy:members")


def _invalid(request: TenantRequest, invitation: Invitation | None) -> HttpResponse:
    """A link that does not (or no longer) open an invitation: 404 for one that never did, 410 for a closed one."""
    state = invitation_state(invitation) if invitation else None
    context = {"invitation": invitation, "state": state}
    return render(request, "tenancy/invitation_invalid.html", context, status=410 if invitation else 404)


def _joined(request: TenantRequest, membership: Membership) -> HttpResponse:
    """Into the organisation just joined: it becomes the one the top bar shows, and home is its first page."""
    request.session.pop(INVITATION_SESSION_KEY, None)
    request.session[SESSION_KEY] = membership.organization_id
    messages.success(
        request,
        _("Welcome to %(organization)s. You are %(role)s.")
        % {"organization": membership.organization.name, "role": membership.get_role_display()},
    )
    return redirect("home")


def invitation_link(request: TenantRequest, secret: str) -> HttpResponse:
    """The address in an invitation e-mail. The secret moves into the session and the browser on to the same page
    without it, as Django's password reset does: no later response, log line or Referer carries the secret."""
    request.session[INVITATION_SESSION_KEY] = secret
    return redirect("tenancy:invitation_accept")


@never_cache
def invitation_accept_view(request: TenantRequest) -> HttpResponse:
    """The page an invitation's link opens: for someone new, name and password; for someone with an account, sign in
    (as the invited address) and join. A used, revoked, expired or unknown link says so and changes nothing."""
    secret = request.session.get(INVITATION_SESSION_KEY, "")
    invitation = invitation_for_secret(secret)
    if invitation is None or invitation_state(invitation) is not InvitationState.OPEN:
        return _invalid(request, invitation)
    context: dict[str, object] = {"invitation": invitation, "organization": invitation.organization}
    user = request.user
    if isinstance(user, User):  # signed in
        if user.email.lower() != invitation.email.lower():
            return render(request, "tenancy/invitation_other_account.html", context, status=403)
        if request.method != "POST":
            return render(request, "tenancy/invitation_accept.html", context)
        try:
            return _joined(request, invitation_accept(secret=secret, user=user))
        except InvitationError:  # used or revoked while the page was open
            return _invalid(request, invitation_for_secret(secret))
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if existing is not None and existing.has_usable_password():
        context["login_url"] = f"{reverse('login')}?{urlencode({'next': request.path})}"
        return render(request, "tenancy/invitation_accept.html", context)
    form = JoinForm(existing or User(email=invitation.email), request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            membership = invitation_accept_as_new_user(
                secret=secret,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["new_password1"],
            )
        except InvitationError:
            return _invalid(request, invitation_for_secret(secret))
        login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        return _joined(request, membership)
    context["form"] = form
    return render(request, "tenancy/invitation_accept.html", context, status=400 if form.is_bound else 200)
