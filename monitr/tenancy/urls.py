from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("switch/", views.switch_organization, name="switch"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<int:pk>/role/", views.member_role, name="member_role"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoke/", views.invitation_cancel, name="invitation_revoke"),
    # The link in an invitation e-mail, open to anyone who has it (the secret is the key), signed in or not; it
    # leads on to the accept page, which reads the secret from the session.
    path("join/<str:secret>/", views.invitation_link, name="invitation_link"),
    path("join/", views.invitation_accept_view, name="invitation_accept"),
]
