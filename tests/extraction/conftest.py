"""Fixtures shared by the extraction tests: the tiny GLM-4V model directory."""

from __future__ import annotations

from pathlib import Path

import pytest

try:
    from tests.extraction.tiny_glm import build_tiny_glm
except ModuleNotFoundError:  # tests/ is not a package here: pytest put this folder on sys.path
    from tiny_glm import build_tiny_glm  # type: ignore[no-redef]


@pytest.fixture(scope="session")
def tiny_glm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random GLM-4V model + processor saved to disk, built once per session."""
    import torch

    # On 2 shared cores, tiny models run ~500x slower with torch's default thread count.
    torch.set_num_threads(1)
    return build_tiny_glm(tmp_path_factory.mktemp("tiny_glm"))
