"""The fixture engine (tests/fixture_engine.py): what it answers, and that only tests
can ever select it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from extraction.engines.base import EngineContext, registry
from extraction.engines.ocr import OcrEngine
from reimbursements.models import Extraction
from synth import generate_document
from tests.fixture_engine import TRUTH_VERSION, FixtureEngine
from tests.invoice_assistant.test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def eager(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EXTRACTION_ENGINE = "ocr"
    cache.clear()


def upload_and_read(user, data: bytes, capture) -> Extraction:
    client = APIClient()
    client.force_authenticate(user)
    with capture(execute=True):
        response = client.post(
            "/api/v1/documents/", {"file": SimpleUploadedFile("page.png", data)}, format="multipart"
        )
    assert response.status_code == 201, response.content
    return Extraction.objects.get(document_id=response.json()["id"])


@pytest.mark.django_db
def test_a_page_the_generator_drew_is_answered_from_its_truth(
    eager, make_user, django_capture_on_commit_callbacks
):
    # Given a clean synthetic 普票 (its pixels remembered by the generator)
    invoice = generate_document("vat_general", seed=5)
    # When it is uploaded and the worker's tasks run
    extraction = upload_and_read(
        make_user("employee"), invoice.image_bytes, django_capture_on_commit_callbacks
    )
    # Then the stored fields are the generator's truth, read by the fixture, not by OCR
    truth = invoice.truth["fields"]
    assert extraction.engine_version == TRUTH_VERSION
    assert extraction.invoice_number == truth["invoice_number"]
    assert str(extraction.total_amount) == truth["total_amount"]
    assert extraction.seller_tax_id == truth["seller_tax_id"]


def test_a_page_the_generator_did_not_draw_is_read_by_the_real_engine():
    # Given a page drawn by someone else (the generator's page, one pixel changed)
    page = generate_document("receipt", seed=3).image().convert("RGB")
    page.putpixel((0, 0), (1, 2, 3))
    # When the fixture engine reads it
    lines = FixtureEngine(EngineContext(ocr_threads=1)).ocr_lines(page)
    # Then RapidOCR read its text
    assert len(lines) > 5


@pytest.mark.ocr
def test_an_ocr_test_gets_the_real_engine():
    assert type(registry.get(EngineContext(ocr_threads=1), "ocr")) is OcrEngine


def test_production_never_registers_the_fixture_engine():
    # Given a production process that has imported every module of the app and the engines
    code = (
        "import importlib, json, pkgutil, sys\n"
        "import reimbursements\n"
        "for m in pkgutil.walk_packages(reimbursements.__path__, 'reimbursements.'):\n"
        "    importlib.import_module(m.name)\n"
        "for m in ('ocr', 'vlm', 'remote'):\n"
        "    importlib.import_module('extraction.engines.' + m)\n"
        "from extraction.engines.base import registry\n"
        "print(json.dumps({'engines': {n: c.__module__ for n, c in registry._classes.items()},"
        " 'tests': sorted(m for m in sys.modules if m.split('.')[0] in ('tests', 'synth'))}))\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CLAMD_"))}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Then every engine is the product's own, and nothing from the tests or the generator
    # was imported: the fixture engine cannot register, so no setting can select it
    assert seen["engines"]["ocr"] == "extraction.engines.ocr"
    assert all(module.startswith("extraction.engines.") for module in seen["engines"].values())
    assert seen["tests"] == []
