"""IP addresses (IPv4 dotted quads and IPv6), labelled ``public`` or ``private``.

IPv4: four decimal octets 0-255 without leading zeros, not part of a longer dotted number
(``1.2.3.4.5``) nor a version (``v1.2.3.4``, ``version 1.2.3.4``). IPv6: hex groups with
colons, validated by :mod:`ipaddress` and needing at least two colons and three hex digits,
so times (``10:30:15``) and ``std::vector`` are not addresses.

``private`` covers every address that is not globally routable (RFC 1918, loopback,
link-local, documentation ranges, ...); ``public`` the rest. The value is the address in its
canonical form (IPv6 compressed, lower case).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from policylint.detectors.base import Detector, Found, TextDetector

__all__ = ["DETECTOR", "IpDetector"]

_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_PATTERN = (
    rf"(?<![\w.:])(?:(?P<v4>{_IPV4})(?![\w]|\.\d)"
    rf"|(?P<v6>(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:{_IPV4}|[0-9A-Fa-f]{{0,4}}))(?![\w:.]))"
)


# "version 1.2.3.4", "firmware v10.0.0.1": a version number, not an address.
_VERSION = re.compile(
    r"\b(?:version|ver|v|release|build|firmware|update|rev)\W{0,2}$", re.IGNORECASE
)


@cache
def _regex() -> re.Pattern[str]:
    return re.compile(_PATTERN)


class IpDetector(TextDetector):
    name = "ip"
    description = "IPv4 and IPv6 addresses, labelled 'public' or 'private'."

    def find(self, text: str) -> Iterator[Found]:
        if "." not in text and ":" not in text:
            return
        import ipaddress

        for m in _regex().finditer(text):
            raw = m.group(0)
            if m.group("v4") is not None and _VERSION.search(
                text, max(0, m.start() - 12), m.start()
            ):
                continue
            if m.group("v6") is not None and (
                raw.count(":") < 2 or sum(ch not in ":." for ch in raw) < 3
            ):
                continue
            try:
                address = ipaddress.ip_address(raw)
            except ValueError:
                continue
            label = "public" if address.is_global else "private"
            yield Found(m.start(), m.end(), str(address), label)

    def fallback(self, text: str) -> str:
        return text.strip().lower()


DETECTOR: Detector = IpDetector()
