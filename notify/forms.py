from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ledger.models import OutstandingSide
from monitr.tenancy.models import Membership

from .models import AlertKind, AlertRule, DigestSubscription

MAX_DAYS = 3650


class DigestForm(forms.ModelForm):
    hour = forms.TypedChoiceField(
        label=_("At"),
        coerce=int,
        choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
        help_text=_("Amsterdam time."),
    )

    class Meta:
        model = DigestSubscription
        fields = ["frequency", "weekday", "hour"]
        labels = {"frequency": _("Digest"), "weekday": _("On")}
        widgets = {"frequency": forms.RadioSelect}


class AlertRuleForm(forms.Form):
    """A new alert rule: what to watch, on which side, and its one threshold, read as the kind says (an amount in
    euro, a number of days, or a percentage)."""

    kind = forms.ChoiceField(label=_("Alert when"), choices=AlertKind.choices)
    side = forms.ChoiceField(
        label=_("On"),
        choices=[(OutstandingSide.RECEIVABLE, _("Receivables")), (OutstandingSide.PAYABLE, _("Payables"))],
        initial=OutstandingSide.RECEIVABLE,
        help_text=_("Receivables for DSO, payables for DPO. The imports' alerts watch every connection."),
    )
    threshold = forms.DecimalField(
        label=_("Threshold"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        help_text=_("An amount in euro, a number of days or a percentage, as the alert says."),
    )
    follow = forms.BooleanField(label=_("E-mail me when it fires"), required=False, initial=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if not kind:
            return data
        name = AlertKind(kind).threshold
        threshold = data.get("threshold")
        if name is None:
            data["threshold"] = None
            return data
        if threshold is None:
            self.add_error("threshold", _("This alert needs a threshold."))
        elif name == "days" and threshold != threshold.to_integral_value():
            self.add_error("threshold", _("A number of days is a whole number."))
        elif name == "days" and threshold > MAX_DAYS:
            self.add_error("threshold", _("At most %(days)s days.") % {"days": MAX_DAYS})
        elif name == "percent" and threshold > 100:
            self.add_error("threshold", _("A share is at most 100%."))
        return data

    def save(self, *, membership: Membership) -> AlertRule:
        data = self.cleaned_data
        kind = AlertKind(data["kind"])
        rule = AlertRule(
            organization=membership.organization,
            kind=kind,
            side=data["side"] if kind.has_side else OutstandingSide.RECEIVABLE,
            created_by=membership,
        )
        if kind.threshold is not None:
            value = data["threshold"]
            setattr(rule, kind.threshold, int(value) if kind.threshold == "days" else value)
        rule.save()
        if data.get("follow"):
            rule.followers.add(membership)
        return rule
