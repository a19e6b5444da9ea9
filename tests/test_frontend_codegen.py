"""The clients' generated files are what the generator makes from the code as it is now.

The API types come from the server's OpenAPI schema: a serializer change that is not
regenerated (`make frontend-codegen`) leaves the clients typed against an API that no
longer exists. Likewise the mini-program's copy of the shared vocabulary.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = [ROOT / "frontend" / "web", ROOT / "frontend" / "miniprogram"]

pytestmark = pytest.mark.slow


@pytest.mark.skipif(shutil.which("npm") is None, reason="Node.js is not installed")
def test_committed_generated_client_files_are_current():
    # Given each client's pinned tools
    for client in CLIENTS:
        if not (client / "node_modules" / ".bin" / "openapi-typescript").exists():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=client, check=True)
    # When the generator checks the committed files against the current schema and vocabulary
    result = subprocess.run(
        [sys.executable, "scripts/frontend_codegen.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # Then none is stale
    assert result.returncode == 0, result.stdout + result.stderr
