from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def conversation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "clustering/conversation_list.html")
