from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def session_list(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/session_list.html")
