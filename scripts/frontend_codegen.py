"""Write the clients' generated files, or check that the committed ones are current.

- ``frontend/web/src/lib/api-schema.ts`` and ``frontend/miniprogram/utils/api-schema.ts``:
  the API's TypeScript types, made by each client's pinned openapi-typescript from the
  server's OpenAPI schema (``manage.py spectacular``, what ``/api/schema/`` serves).
- ``frontend/miniprogram/utils/vocabulary.ts``: a copy of ``frontend/shared/vocabulary.ts``
  (WeChat's tools compile only files inside the mini-program's folder; the web app
  imports the shared file itself).

    .venv/bin/python scripts/frontend_codegen.py          # write them (make frontend-codegen)
    .venv/bin/python scripts/frontend_codegen.py --check  # exit 1 naming each stale file

Needs each client's node_modules (npm ci) and no running service.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
SETTINGS = "invoice_assistant.settings.test"

# Client folder -> where its generated API types live, relative to it.
API_TYPES = {
    FRONTEND / "web": Path("src/lib/api-schema.ts"),
    FRONTEND / "miniprogram": Path("utils/api-schema.ts"),
}
VOCABULARY = FRONTEND / "shared" / "vocabulary.ts"
VOCABULARY_COPY = FRONTEND / "miniprogram" / "utils" / "vocabulary.ts"
COPY_HEADER = (
    "// A copy of frontend/shared/vocabulary.ts made by scripts/frontend_codegen.py (WeChat's\n"
    "// tools compile only files inside this folder): edit the shared file, then run\n"
    "// `make frontend-codegen`.\n"
)


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def openapi_schema(directory: Path) -> Path:
    """The server's OpenAPI schema as YAML, written into ``directory``."""
    schema = directory / "openapi.yaml"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS}
    _run([sys.executable, "manage.py", "spectacular", "--file", str(schema)], ROOT, env)
    return schema


def api_types(client: Path, schema: Path, out: Path) -> None:
    tool = client / "node_modules" / ".bin" / "openapi-typescript"
    if not tool.exists():
        raise SystemExit(f"{tool.relative_to(ROOT)} is missing: run `npm ci` in {client}")
    _run([str(tool), str(schema), "--output", str(out)], client)


def generated(directory: Path) -> dict[Path, bytes]:
    """Every generated file's path (in the repository) -> its current right content."""
    schema = openapi_schema(directory)
    files: dict[Path, bytes] = {}
    for index, (client, relative) in enumerate(API_TYPES.items()):
        out = directory / f"api-schema-{index}.ts"
        api_types(client, schema, out)
        files[client / relative] = out.read_bytes()
    files[VOCABULARY_COPY] = COPY_HEADER.encode() + VOCABULARY.read_bytes()
    return files


def stale_files() -> list[Path]:
    """The generated files whose committed content differs from what they should be."""
    with tempfile.TemporaryDirectory() as tmp:
        expected = generated(Path(tmp))
    return [
        path
        for path, content in expected.items()
        if not path.exists() or path.read_bytes() != content
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args()
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}", file=sys.stderr)
        if stale:
            print("run `make frontend-codegen` and commit the result", file=sys.stderr)
        return 1 if stale else 0
    with tempfile.TemporaryDirectory() as tmp:
        for path, content in generated(Path(tmp)).items():
            if not path.exists() or path.read_bytes() != content:
                path.write_bytes(content)
                print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
