from django.urls import path

from consultation import api

app_name = "consultation-api"

urlpatterns = [
    path("plans/", api.PlanListView.as_view(), name="plan-list"),
    path("plans/<slug:slug>/", api.PlanDetailView.as_view(), name="plan-detail"),
    path(
        "plans/<slug:slug>/follow/",
        api.PlanFollowView.as_view(),
        name="plan-follow",
    ),
    path(
        "plans/<slug:slug>/comments/",
        api.PlanCommentsView.as_view(),
        name="plan-comments",
    ),
    path(
        "plans/<slug:slug>/versions/",
        api.PlanVersionListView.as_view(),
        name="plan-versions",
    ),
    path(
        "plans/<slug:slug>/versions/<int:number>/",
        api.PlanVersionDetailView.as_view(),
        name="plan-version-detail",
    ),
    path(
        "plans/<slug:slug>/responses/",
        api.PlanResponsesView.as_view(),
        name="plan-responses",
    ),
    path(
        "comments/<int:comment_id>/",
        api.CommentDetailView.as_view(),
        name="comment-detail",
    ),
    path(
        "comments/<int:comment_id>/endorse/",
        api.CommentEndorseView.as_view(),
        name="comment-endorse",
    ),
    path(
        "comments/<int:comment_id>/responses/",
        api.CommentResponsesView.as_view(),
        name="comment-responses",
    ),
]
