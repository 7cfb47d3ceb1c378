from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import ProfileForm
from accounts.selectors import list_notifications, unread_notification_count
from accounts.services import mark_notifications_read


@login_required
@require_http_methods(["GET", "POST"])
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


def _safe_link(url: str) -> str:
    """Only links into this site are followed from a notification."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, None):
        return url
    return ""


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    page = Paginator(list_notifications(request.user), 30).get_page(
        request.GET.get("page")
    )
    items = [(n, _safe_link(n.url)) for n in page.object_list]
    return render(
        request,
        "accounts/notifications.html",
        {
            "page": page,
            "items": items,
            "unread": unread_notification_count(request.user),
        },
    )


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    count = mark_notifications_read(user=request.user, ids=ids)  # type: ignore[arg-type]
    if count:
        messages.success(request, _("Marked as read."))
    return redirect("accounts:notifications")
