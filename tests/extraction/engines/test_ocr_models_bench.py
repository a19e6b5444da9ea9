"""bench/ocr_models.py's per-file latency ratio of the two OCR model generations."""

from __future__ import annotations

from pathlib import Path

from bench.accuracy import Sample
from bench.ocr_models import paired_ratios


def _sample(name: str, suite: str = "cn") -> Sample:
    return Sample(file=Path(name), suite=suite, document_type=None, truth={}, scored=())


def test_each_file_is_compared_with_itself_and_only_where_both_models_read_it_warm() -> None:
    # given three files: one cold for v4 (the first of its process), two warm for both
    samples = [_sample("a"), _sample("b"), _sample("c")]
    predictions = {
        "v4": {
            Path("a"): {"elapsed_ms": 1000.0, "_cold": True},
            Path("b"): {"elapsed_ms": 1000.0},
            Path("c"): {"elapsed_ms": 4000.0},
        },
        "v6": {
            Path("a"): {"elapsed_ms": 100.0},
            Path("b"): {"elapsed_ms": 900.0},
            Path("c"): {"elapsed_ms": 4400.0},
        },
    }
    # when the per-file ratios are taken
    paired = paired_ratios(samples, predictions, ("v4", "v6"))
    # then the cold file is left out and the median is over the files' own ratios (0.9
    # and 1.1), not the ratio of the two models' medians (2650 / 2500)
    assert paired == {"cn": {"n": 2, "median_ratio": 1.0}}
