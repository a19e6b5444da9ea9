"""What the generator drew, looked up by the pixels it drew it in.

Every clean document the generator makes is remembered (its truth, by a digest of its
RGB pixels), so a test's stand-in for the OCR engine can answer for a page without
reading it: a PNG keeps its pixels through upload, metadata stripping and decoding, so
the page a worker sees digests the same. Photos are not remembered (their pixels are
a camera's, not the generator's). Bounded: the oldest are forgotten first.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections import OrderedDict
from typing import Any

from PIL import Image

LIMIT = 512
_TRUTH: OrderedDict[str, dict[str, Any]] = OrderedDict()
_LOCK = threading.Lock()


def pixel_key(image: Image.Image) -> str:
    """SHA-256 of the page's size and RGB pixels."""
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    sha = hashlib.sha256(f"{rgb.width}x{rgb.height}:".encode())
    sha.update(rgb.tobytes())
    return sha.hexdigest()


def remember(image: Image.Image, truth: dict[str, Any]) -> None:
    key = pixel_key(image)
    with _LOCK:
        _TRUTH[key] = copy.deepcopy(truth)
        _TRUTH.move_to_end(key)
        while len(_TRUTH) > LIMIT:
            _TRUTH.popitem(last=False)


def truth_of(image: Image.Image) -> dict[str, Any] | None:
    """The truth of a clean document this process generated with these pixels, if any."""
    key = pixel_key(image)
    with _LOCK:
        return _TRUTH.get(key)
