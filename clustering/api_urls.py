from django.urls import path

from clustering import api

app_name = "clustering-api"

urlpatterns = [
    path("conversations/", api.ConversationList.as_view(), name="conversation-list"),
    path(
        "conversations/<int:id>/",
        api.ConversationDetail.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<int:id>/next/",
        api.NextStatement.as_view(),
        name="conversation-next",
    ),
    path(
        "conversations/<int:id>/votes/", api.Votes.as_view(), name="conversation-votes"
    ),
    path(
        "conversations/<int:id>/statements/",
        api.Statements.as_view(),
        name="conversation-statements",
    ),
    path(
        "conversations/<int:id>/analysis/",
        api.LatestAnalysis.as_view(),
        name="conversation-analysis",
    ),
    path(
        "questions/<int:question_id>/to-statement/",
        api.QuestionToStatement.as_view(),
        name="question-to-statement",
    ),
]
