from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DigestSubscription


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
