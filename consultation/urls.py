from django.urls import path
from django.views.decorators.http import require_safe

from consultation import feeds, views

app_name = "consultation"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
    path(
        "plans/versions.atom",
        require_safe(feeds.AllVersionsFeed()),
        name="versions_feed",
    ),
    path("plans/new/", views.plan_create, name="plan_create"),
    path(
        "plans/<slug:slug>/versions.atom",
        require_safe(feeds.PlanVersionsFeed()),
        name="plan_versions_feed",
    ),
    path(
        "plans/<slug:slug>/responses.atom",
        require_safe(feeds.PlanResponsesFeed()),
        name="plan_responses_feed",
    ),
    path("plans/<slug:slug>/", views.plan_detail, name="plan_detail"),
    path("plans/<slug:slug>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<slug:slug>/follow/", views.plan_follow, name="plan_follow"),
    path(
        "plans/<slug:slug>/versions/<int:number>/",
        views.version_detail,
        name="version_detail",
    ),
    path("plans/<slug:slug>/versions/next/", views.version_edit, name="version_edit"),
    path(
        "plans/<slug:slug>/versions/preview/",
        views.version_preview,
        name="version_preview",
    ),
    path("plans/<slug:slug>/compare/", views.compare, name="compare"),
    path(
        "plans/<slug:slug>/sections/<str:key>/",
        views.section_comments,
        name="section_comments",
    ),
    path(
        "plans/<slug:slug>/versions/<int:number>/sections/<str:key>/",
        views.version_section_comments,
        name="version_section_comments",
    ),
    path(
        "plans/<slug:slug>/sections/<str:key>/comment/",
        views.comment_create,
        name="comment_create",
    ),
    path("plans/<slug:slug>/register/", views.register, name="register"),
    path("plans/<slug:slug>/register.csv", views.register_csv, name="register_csv"),
    path(
        "plans/<slug:slug>/register.json",
        views.register_json,
        name="register_json",
    ),
    path("comments/<int:comment_id>/", views.comment_detail, name="comment_detail"),
    path("comments/<int:comment_id>/reply/", views.comment_reply, name="comment_reply"),
    path("comments/<int:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path(
        "comments/<int:comment_id>/withdraw/",
        views.comment_withdraw,
        name="comment_withdraw",
    ),
    path(
        "comments/<int:comment_id>/endorse/",
        views.comment_endorse,
        name="comment_endorse",
    ),
    path(
        "comments/<int:comment_id>/history/",
        views.comment_history,
        name="comment_history",
    ),
    path("comments/<int:comment_id>/flag/", views.comment_flag, name="comment_flag"),
    path(
        "comments/<int:comment_id>/respond/",
        views.comment_respond,
        name="comment_respond",
    ),
    path(
        "comments/<int:comment_id>/moderate/",
        views.comment_moderate,
        name="comment_moderate",
    ),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/log/", views.moderation_log, name="moderation_log"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency_detail"),
]
