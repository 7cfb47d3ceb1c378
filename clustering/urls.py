from django.urls import path

from clustering import views

app_name = "clustering"

urlpatterns = [
    path("conversations/", views.conversation_list, name="conversation_list"),
    path("conversations/new/", views.conversation_create, name="conversation_create"),
    path(
        "conversations/<int:pk>/", views.conversation_detail, name="conversation_detail"
    ),
    path("conversations/<int:pk>/edit/", views.conversation_edit, name="edit"),
    path("conversations/<int:pk>/seed/", views.seed, name="seed"),
    path("conversations/<int:pk>/vote/", views.vote, name="vote"),
    path(
        "conversations/<int:pk>/statements/", views.statement_add, name="statement_add"
    ),
    path(
        "conversations/<int:pk>/statements/<int:statement_id>/flag/",
        views.statement_flag,
        name="statement_flag",
    ),
    path("conversations/<int:pk>/standing/", views.standing, name="standing"),
    path("conversations/<int:pk>/moderate/", views.moderate, name="moderate"),
    path("conversations/<int:pk>/report/", views.report, name="report"),
    path("conversations/<int:pk>/report/data/", views.report_data, name="report_data"),
    path("conversations/<int:pk>/export.zip", views.export_zip, name="export_zip"),
    path(
        "conversations/<int:pk>/analysis.json",
        views.analysis_json,
        name="analysis_json",
    ),
]
