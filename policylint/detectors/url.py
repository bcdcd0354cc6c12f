"""Links: the URLs and bare domains of the post (see :mod:`policylint._text.entities`).

The value is the host name, lower-cased and without ``www.`` (``https://www.Acme.com/jobs``
-> ``acme.com``), so ``allow ["acme.com"]`` allows every link to that site. The label is
``shortener`` for link shorteners (which hide where a link goes), else empty.
"""

from __future__ import annotations

import re

from policylint.detectors.base import Detection, Detector

TYPE_CHECKING = False
if TYPE_CHECKING:
    from policylint._text.post import PostViews

__all__ = ["DETECTOR", "SHORTENERS", "UrlDetector", "link_host"]

#: Hosts of common link shorteners.
_SHORTENERS_TEXT = (
    "bit.ly t.co tinyurl.com goo.gl ow.ly buff.ly is.gd lnkd.in rebrand.ly cutt.ly tiny.cc "
    "shorturl.at t.ly rb.gy bl.ink soo.gd s.id v.gd qr.ae trib.al dlvr.it fb.me youtu.be "
    "amzn.to amzn.eu"
)
SHORTENERS = frozenset(_SHORTENERS_TEXT.split())
_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


def link_host(url: str) -> str:
    """The host of ``url``, lower-cased, without a scheme, user info, port or ``www.``."""
    rest = _SCHEME.sub("", url.strip())
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


class UrlDetector:
    name = "url"
    description = "Links (URLs and bare domains); the value is the host, e.g. 'acme.com'."

    def detect(self, post: PostViews) -> list[Detection]:
        found = []
        for start, end in post.entities.links:
            host = link_host(post.text[start:end])
            found.append(Detection(start, end, host, "shortener" if host in SHORTENERS else ""))
        return found

    def canonical(self, text: str) -> str:
        return link_host(text)


DETECTOR: Detector = UrlDetector()
