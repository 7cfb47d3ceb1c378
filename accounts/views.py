from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import NotificationSettingsForm, ProfileForm
from accounts.models import EmailFrequency
from accounts.selectors import list_notifications, unread_notification_count
from accounts.services import (
    mark_notifications_read,
    set_email_frequency,
    set_language,
    unsubscribe_token,
    user_for_unsubscribe_token,
)
from accounts.services import unsubscribe as unsubscribe_user


@require_http_methods(["GET", "POST"])
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (same form, cookie and redirect), which also
    remembers the choice on the account of whoever is logged in, so that their
    notifications and e-mails come in that language."""
    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        set_language(
            user=request.user,
            language=request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, ""),
        )
    return response


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


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = NotificationSettingsForm(
        request.POST or None,
        initial={"email_notifications": user.email_notifications},  # type: ignore[union-attr]
    )
    if request.method == "POST" and form.is_valid():
        set_email_frequency(
            user=user,  # type: ignore[arg-type]
            frequency=form.cleaned_data["email_notifications"],
        )
        messages.success(request, _("Your notification settings were saved."))
        return redirect("accounts:notification_settings")
    return render(
        request,
        "accounts/notification_settings.html",
        {
            "form": form,
            "unsubscribe_token": unsubscribe_token(user),  # type: ignore[arg-type]
        },
        status=400 if form.is_bound else 200,
    )


# The signed token in the URL is the authority here, not a session: the page
# works logged out, and mail programs POST to it without a CSRF token for
# RFC 8058 one-click unsubscribe ("List-Unsubscribe=One-Click"). The only
# thing a POST can do is turn the named person's e-mails off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = user_for_unsubscribe_token(token)
    except ValidationError as exc:
        return render(
            request,
            "accounts/unsubscribe.html",
            {"error": " ".join(exc.messages)},
            status=400,
        )
    if request.method == "POST":
        unsubscribe_user(token=token)
        done = True
    else:
        done = user.email_notifications == EmailFrequency.OFF
    return render(
        request,
        "accounts/unsubscribe.html",
        {"done": done, "token": token, "display_name": user.display_name},
    )
