"""Every e-mail Monitr sends, recorded: to whom, what, when, and whether it was delivered.

A message is sent in one of two ways (``monitr.mail.services``): while someone waits (an invitation: a refusal is
said at once, and the message recorded as failed), or queued for the worker (digests, alerts), which tries again on a
mail server's temporary refusal and gives up, recorded as failed, on a permanent one or after the last attempt.

While a queued message waits, its content (the text, the HTML, reply-to and headers) is kept encrypted, because it may
carry a link with a secret in it; once delivered or given up, the content is emptied. What stays is what the admins'
E-mail page shows: recipient, subject, kind, status, attempts, and what the mail server said.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from monitr.fields import EncryptedJSONField
from monitr.tenancy.models import Organization
from monitr.tenancy.scoping import TenantManager


class MailKind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    DIGEST = "digest", _("Digest")
    ALERT = "alert", _("Alert")


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RETRYING = "retrying", _("Trying again")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class MailMessage(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="mail_messages"
    )
    kind = models.CharField(max_length=20, choices=MailKind.choices)
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    content = EncryptedJSONField(
        default=dict, blank=True, help_text="The message while it waits to be delivered; emptied afterwards."
    )
    status = models.CharField(max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, help_text="What the mail server said at the last failed attempt.")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    tenant_path = "organization"
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="mailmessage_by_organization"),
            models.Index(fields=["status", "created_at"], name="mailmessage_by_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to}: {self.get_status_display()}"
