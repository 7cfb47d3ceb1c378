from django.urls import path
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog

from forum import feeds, views

app_name = "forum"

urlpatterns = [
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/calendar.ics", views.upcoming_calendar, name="upcoming_calendar"),
    path(
        "sessions/upcoming.atom",
        require_safe(feeds.UpcomingSessionsFeed()),
        name="upcoming_feed",
    ),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/follow/", views.session_follow, name="follow"),
    path("sessions/<int:pk>/presenter/", views.presenter, name="presenter"),
    path("sessions/<int:pk>/moderate/", views.moderator_console, name="moderate"),
    path("sessions/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("sessions/<int:pk>/calendar.ics", views.session_calendar, name="calendar"),
    path("sessions/<int:pk>/join.svg", views.join_qr, name="join_qr"),
    # The forum's JavaScript strings (the djangojs catalogue of this app).
    path(
        "sessions/jsi18n/",
        JavaScriptCatalog.as_view(packages=["forum"]),
        name="jsi18n",
    ),
]
