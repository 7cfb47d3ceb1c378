from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from accounts.views import switch_language
from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("open-data/", include("opendata.urls")),
    # Django's set_language, also storing the choice on the account.
    path("i18n/setlang/", switch_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/guide/", views.api_guide, name="api-guide"),
    # The schema is generated from code: no database transaction around it.
    path(
        "api/schema/",
        transaction.non_atomic_requests(SpectacularAPIView.as_view()),
        name="api-schema",
    ),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("api/", include("config.api_urls")),
    path("", include("consultation.urls")),
    path("", include("forum.urls")),
    path("", include("clustering.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
