from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "consultation/plan_list.html")
