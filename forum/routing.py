from django.urls import URLPattern, path

from forum.consumers import LiveSessionConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/sessions/<int:session_id>/", LiveSessionConsumer.as_asgi()),
]
