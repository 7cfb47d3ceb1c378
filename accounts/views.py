from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import ProfileForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, user=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValidationError:
            pass
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
