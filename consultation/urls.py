from django.urls import path

from consultation import views

app_name = "consultation"

urlpatterns = [
    path("plans/", views.plan_list, name="plan_list"),
]
