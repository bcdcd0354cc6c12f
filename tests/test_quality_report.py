"""benchmarks/quality.py's pooled first-sight figures: pooled post by post, not averaged
batch by batch (a batch of 10 posts must not weigh as much as one of 200)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


def quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location("quality", ROOT / "benchmarks" / "quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def entry(name: str, n: int, hits: int, flagged: int, clean: int, clean_hits: int) -> dict:
    row = {"n": n, "precision": hits / flagged, "recall": hits / n}
    return {
        "batch": name,
        "categories": {"tone": row, "micro": row},
        "clean": clean,
        "clean_flagged": clean_hits / clean,
    }


def test_first_sight_is_pooled_post_by_post(capsys: pytest.CaptureFixture[str]) -> None:
    # tone: 9 of 10 found (10 flagged), then 20 of 200 (40 flagged): pooled 29/210, 29/50.
    quality().print_pooled([entry("a", 10, 9, 10, 50, 5), entry("b", 200, 20, 40, 150, 3)])
    out = capsys.readouterr().out
    (tone,) = [line for line in out.splitlines() if line.startswith("tone")]
    assert tone.split() == ["tone", "210", f"{29 / 50:.3f}", f"{29 / 210:.3f}"]
    assert "clean posts flagged 8/200 = 0.040" in out
    assert "regulatory" not in out  # no batch labelled it: no row rather than a zero
