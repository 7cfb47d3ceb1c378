"""All websocket routes of the project, collected from the apps."""

from clustering.routing import websocket_urlpatterns as clustering_ws
from forum.routing import websocket_urlpatterns as forum_ws

websocket_urlpatterns = [*forum_ws, *clustering_ws]
