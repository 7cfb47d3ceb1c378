"""Stream embeds: turn a stream URL into a player, only from allowed hosts.

Supported: YouTube (embedded from youtube-nocookie.com), Vimeo, PeerTube
instances and HLS (``.m3u8``) streams played with hls.js. YouTube and Vimeo
players must be in ``STREAM_EMBED_HOSTS``; PeerTube instances and HLS servers
must be in ``STREAM_MEDIA_HOSTS``. The Content-Security-Policy's ``frame-src``,
``media-src`` and ``connect-src`` are built from the same two lists, so a
player the allow-list does not name could not load anyway.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

_YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"}
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
_PEERTUBE_PATH = re.compile(
    r"^/(?:w|videos/watch|videos/embed)/([A-Za-z0-9-]{6,64})/?$"
)
_VIMEO_PATH = re.compile(r"^/(?:video/)?(\d{3,12})/?$")


def _youtube_id(host: str, path: str, query: str) -> str | None:
    if host == "youtu.be":
        candidate = path.strip("/")
    elif path == "/watch":
        candidate = (parse_qs(query).get("v") or [""])[0]
    else:
        match = re.match(r"^/(?:embed|live|shorts)/([^/]+)/?$", path)
        candidate = match.group(1) if match else ""
    return candidate if _YOUTUBE_ID.match(candidate) else None


def embed_for(url: str) -> dict[str, str] | None:
    """``{"kind": "iframe"|"hls", "src": ...}`` for an allowed stream, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    host = parts.hostname.lower()
    embed_hosts = set(settings.STREAM_EMBED_HOSTS)
    media_hosts = set(settings.STREAM_MEDIA_HOSTS)
    if host in _YOUTUBE_HOSTS:
        video = _youtube_id(host, parts.path, parts.query)
        player = "www.youtube-nocookie.com"
        if video and player in embed_hosts:
            return {"kind": "iframe", "src": f"https://{player}/embed/{video}"}
        return None
    if host in _VIMEO_HOSTS:
        match = _VIMEO_PATH.match(parts.path)
        if match and "player.vimeo.com" in embed_hosts:
            return {
                "kind": "iframe",
                "src": f"https://player.vimeo.com/video/{match.group(1)}",
            }
        return None
    if host not in media_hosts:
        return None
    if parts.path.lower().endswith(".m3u8"):
        return {"kind": "hls", "src": url}
    match = _PEERTUBE_PATH.match(parts.path)
    if match:
        return {
            "kind": "iframe",
            "src": f"https://{host}/videos/embed/{match.group(1)}",
        }
    return None


def stream_url_error(url: str) -> str | None:
    """Why ``url`` cannot be embedded (None when it can, or is empty)."""
    if not url or embed_for(url) is not None:
        return None
    return _(
        "This stream cannot be embedded: use a YouTube, Vimeo or PeerTube video "
        "page, or an HLS (.m3u8) address, on a host the site allows."
    )
