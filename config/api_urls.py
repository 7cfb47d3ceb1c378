"""Every REST endpoint of the project lives under /api/ (see each app's api.py)."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("consultation.api_urls")),
    path("", include("forum.api_urls")),
    path("", include("clustering.api_urls")),
]
