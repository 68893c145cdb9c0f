"""Photos and videos placed inside a story's text.

An editor types a line of its own in the body: `[photo 12]` (or `[сүрөт 12]`,
`[фото 12]`) for one of the story's photos (the admin shows each photo's line),
`[video https://youtu.be/…]` (or `[видео …]`) for a video of a site we know. The
body stays the sanitized text of the rich-text editor; the lines become figures only
when the page is rendered (articles.templating.body_with_dateline).

A video is shown as a local poster: no request reaches the video site until the
reader presses play (static/js/site.js then loads the player, from an origin the
Content-Security-Policy's `frame-src` allows, settings.EMBED_FRAME_ORIGINS).
"""

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import parse_qs, urlsplit

from django.utils.html import strip_tags

# The words of the lines, in English and in the admin's languages; the admin shows
# each photo's line with the editor's own word.
PHOTO_WORDS = {"photo": "photo", "фото": "photo", "сүрөт": "photo"}
VIDEO_WORDS = {"video": "video", "видео": "video"}
PHOTO_WORD = {"ky": "сүрөт", "ru": "фото"}
# A paragraph holding only the line; the editor may have turned the URL into a link.
PLACEHOLDER = re.compile(
    r"<p>\s*\[(%s)\s+(.+?)\]\s*</p>" % "|".join([*PHOTO_WORDS, *VIDEO_WORDS]),
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Placeholder:
    kind: str
    value: str
    start: int
    end: int


def placeholders(body: str) -> list[Placeholder]:
    return [
        Placeholder(
            {**PHOTO_WORDS, **VIDEO_WORDS}[match[1].lower()],
            unescape(strip_tags(match[2])).strip(),
            match.start(),
            match.end(),
        )
        for match in PLACEHOLDER.finditer(body or "")
    ]


def photo_ids(body: str) -> list[int]:
    """The photos a body shows inside the text, by their number."""
    return [
        int(item.value)
        for item in placeholders(body)
        if item.kind == "photo" and item.value.isdigit()
    ]


@dataclass(frozen=True)
class Video:
    provider: str
    url: str  # the page on the video site: the link when scripts are off
    player: str  # what the reader's click loads


YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^\d{5,12}$")
RUTUBE_ID = re.compile(r"^[0-9a-f]{32}$")


def _youtube(host, parts, query):
    if host == "youtu.be":
        candidate = parts[0] if parts else ""
    elif parts[:1] == ["watch"]:
        candidate = (query.get("v") or [""])[0]
    elif len(parts) >= 2 and parts[0] in ("shorts", "embed", "live"):
        candidate = parts[1]
    else:
        return None
    if not YOUTUBE_ID.match(candidate):
        return None
    return Video(
        "YouTube",
        f"https://www.youtube.com/watch?v={candidate}",
        f"https://www.youtube-nocookie.com/embed/{candidate}?autoplay=1",
    )


def _vimeo(host, parts, query):
    candidate = parts[1] if host == "player.vimeo.com" and parts[:1] == ["video"] else None
    if host != "player.vimeo.com":
        candidate = parts[0] if parts else ""
    if not candidate or not VIMEO_ID.match(candidate):
        return None
    return Video(
        "Vimeo",
        f"https://vimeo.com/{candidate}",
        f"https://player.vimeo.com/video/{candidate}?autoplay=1&dnt=1",
    )


def _rutube(host, parts, query):
    if len(parts) < 2 or parts[0] not in ("video", "play") or not RUTUBE_ID.match(parts[-1]):
        return None
    candidate = parts[-1]
    return Video(
        "Rutube",
        f"https://rutube.ru/video/{candidate}/",
        f"https://rutube.ru/play/embed/{candidate}",
    )


# The video sites we embed, by the hosts of their addresses.
PROVIDERS = {
    "youtube.com": _youtube,
    "www.youtube.com": _youtube,
    "m.youtube.com": _youtube,
    "youtu.be": _youtube,
    "vimeo.com": _vimeo,
    "www.vimeo.com": _vimeo,
    "player.vimeo.com": _vimeo,
    "rutube.ru": _rutube,
    "www.rutube.ru": _rutube,
}
PROVIDER_NAMES = ("YouTube", "Vimeo", "Rutube")


def video_for(url: str) -> Video | None:
    """The video at `url`, or None when it is not a video of a site we embed."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    parse = PROVIDERS.get(host)
    if parse is None:
        return None
    return parse(host, [part for part in parts.path.split("/") if part], parse_qs(parts.query))
