"""ASGI entry point: HTTP through Django, websockets through Channels.

Websocket routes come from each app's ``routing.websocket_urlpatterns``. Every
socket passes the Origin check (same hosts as ALLOWED_HOSTS; a missing or
``null`` Origin is refused) and session authentication (common/wsauth.py)
before a consumer sees it. Outermost, ``DirectSendMiddleware`` lets
live-session broadcasts write their prepared frames straight to daphne's
sockets (common/wsframes.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from common.wsauth import SessionAuthMiddlewareStack  # noqa: E402
from common.wsframes import DirectSendMiddleware  # noqa: E402
from config.routing import websocket_urlpatterns  # noqa: E402


def build_application(*, serve_static: bool = False) -> ProtocolTypeRouter:
    http_app = django_asgi_app
    if serve_static:
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        http_app = ASGIStaticFilesHandler(django_asgi_app)
    return ProtocolTypeRouter(
        {
            "http": http_app,
            "websocket": DirectSendMiddleware(
                AllowedHostsOriginValidator(
                    SessionAuthMiddlewareStack(URLRouter(websocket_urlpatterns))
                )
            ),
        }
    )


# In development daphne also serves /static/; in production the reverse proxy
# serves the collected files (see README, "Deployment").
application = build_application(serve_static=settings.DEBUG)
