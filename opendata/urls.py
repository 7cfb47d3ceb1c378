"""Open-data URLs, under /open-data/ (names without a namespace: base.html
links to ``open_data``)."""

from django.urls import path, re_path

from opendata import views

TABLE = r"(?P<table>[a-z_]{1,40})\.(?P<fmt>csv|json)"

urlpatterns = [
    path("", views.open_data, name="open_data"),
    path("site.zip", views.site_zip, name="opendata_site_zip"),
    re_path(rf"^site/{TABLE}$", views.site_table, name="opendata_site_table"),
    re_path(
        r"^(?P<kind>plan|session|conversation)s/(?P<key>[-a-zA-Z0-9_]{1,80})\.zip$",
        views.scope_zip,
        name="opendata_zip",
    ),
    re_path(
        rf"^(?P<kind>plan|session|conversation)s/(?P<key>[-a-zA-Z0-9_]{{1,80}})/{TABLE}$",
        views.scope_table,
        name="opendata_table",
    ),
]
