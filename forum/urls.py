from django.urls import path

from forum import views

app_name = "forum"

urlpatterns = [
    path("sessions/", views.session_list, name="session_list"),
]
