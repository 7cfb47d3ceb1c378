from django.urls import path

from clustering import views

app_name = "clustering"

urlpatterns = [
    path("conversations/", views.conversation_list, name="conversation_list"),
]
