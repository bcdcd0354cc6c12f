"""Per-post state shared by every rule: the views of the text, metrics and detections.

Everything is computed on first use and at most once per post, so a policy whose guards never
ask for sentiment never pays for it, and ten rules calling ``detect(phone)`` run the phone
detector once. Detectors and metrics see the post through
:class:`~policylint._text.post.PostViews`, the part of this context they need.
"""

from __future__ import annotations

from collections.abc import Mapping

from policylint._text.post import PostViews

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from policylint.detectors import Detection

__all__ = ["PostContext"]


class PostContext(PostViews):
    """A post being checked: its views, the policy's settings, and what rules computed."""

    __slots__ = ("_detections", "_metrics", "settings")

    def __init__(
        self,
        text: str,
        platform: str | None = None,
        meta: Mapping[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(text, platform, meta)
        #: Resolved policy settings (organisation facts, thresholds), read by the rules.
        self.settings: Mapping[str, Any] = settings or {}
        self._metrics: dict[str, float] = {}
        self._detections: dict[str, list[Detection]] = {}

    def metric(self, name: str) -> float:
        value = self._metrics.get(name)
        if value is None:
            from policylint._runtime.metrics import METRICS

            value = float(METRICS[name].compute(self))
            self._metrics[name] = value
        return value

    def detections(self, name: str) -> list[Detection]:
        found = self._detections.get(name)
        if found is None:
            from policylint._runtime.prechecks import PRECHECKS
            from policylint.detectors import DETECTORS

            # A failed precheck means nothing to find: the detector's module is not even
            # imported (a rule dispatched by one of its other flags asks anyway).
            precheck = DETECTORS.precheck(name)
            if precheck is not None and not PRECHECKS[precheck](self):
                found = []
            else:
                found = list(DETECTORS[name].detect(self))
                DETECTORS.mark_used(name)
            self._detections[name] = found
        return found
