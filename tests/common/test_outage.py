"""A database outage gives a clear 503, in pages and in the API."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from common.api import exception_handler


@pytest.mark.django_db
def test_page_gets_503_with_retry_after_when_the_database_is_down():
    with mock.patch("config.views._open_now", side_effect=OperationalError("down")):
        response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Nothing was saved" in response.content.decode()


def test_api_gets_503_json_when_the_database_is_down():
    request = APIRequestFactory().post("/api/x/")
    response = exception_handler(
        OperationalError("connection refused"), {"view": APIView(), "request": request}
    )
    assert response is not None
    assert response.status_code == 503
    assert "Nothing was saved" in response.data["detail"]
