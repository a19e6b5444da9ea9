"""GPU batching, claims and the routing guard, with the tiny GLM model on CPU."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reimbursements import gpu, pipeline
from reimbursements.documents import engines, lifecycle
from reimbursements.engine_context import build_engine_context
from reimbursements.models import Document, Extraction
from tests.conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def vlm_settings(settings, tiny_glm_dir: Path, tmp_path: Path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VLM_MODEL_PATH = str(tiny_glm_dir)
    settings.VLM_DEVICE = "cpu"
    settings.EXTRACTION_ENGINE = "vlm"
    settings.VLM_BATCH_SIZE = 4
    build_engine_context.cache_clear()
    yield settings
    build_engine_context.cache_clear()


def clean_document(owner, color: str) -> Document:
    document = Document(owner=owner, sha256=color * 8, size=1, mime_type="image/png")
    document.file.save("x", ContentFile(png_bytes((96, 64), color)), save=False)
    document.status = Document.Status.CLEAN
    document.save()
    return document


def test_vlm_documents_are_routed_to_the_gpu_queue(vlm_settings):
    choice = engines.choose_engine()
    assert (choice.name, choice.queue) == ("vlm", "gpu")
    assert "vlm-1:" in choice.fingerprint or choice.fingerprint


def test_one_task_runs_all_waiting_documents_as_one_batch(vlm_settings, make_user):
    # Given three clean documents waiting for the VLM
    owner = make_user("employee")
    documents = [clean_document(owner, c) for c in ("#fff", "#eee", "#ddd")]
    # When one GPU task runs
    finished = gpu.process_batch(first_id=documents[0].pk, claimer="task-1")
    # Then all three were extracted in that batch, each exactly once
    assert set(finished) == {d.pk for d in documents}
    assert Extraction.objects.filter(document__in=documents).count() == 3
    assert set(Extraction.objects.values_list("engine", flat=True)) == {"vlm"}


def test_a_document_claimed_by_a_live_batch_is_skipped_by_its_own_message(vlm_settings, make_user):
    owner = make_user("employee")
    first, second = clean_document(owner, "#fff"), clean_document(owner, "#eee")
    claimed = lifecycle.documents_claim_batch(first_id=first.pk, claimer="task-1", size=4)
    assert {c.document_id for c in claimed} == {first.pk, second.pk}
    # The second document's own message arrives while the batch runs
    assert pipeline.document_process(document_id=second.pk) == "processing"
    assert lifecycle.documents_claim_batch(first_id=second.pk, claimer="task-2", size=4) == []
    assert not Extraction.objects.exists()


def test_an_expired_claim_is_picked_up_again(vlm_settings, make_user):
    owner = make_user("employee")
    document = clean_document(owner, "#fff")
    lifecycle.documents_claim_batch(first_id=document.pk, claimer="dead-worker", size=1)
    Document.objects.filter(pk=document.pk).update(claimed_until=timezone.now())
    claimed = lifecycle.documents_claim_batch(first_id=document.pk, claimer="task-2", size=1)
    assert [c.document_id for c in claimed] == [document.pk]


def test_released_documents_go_back_to_clean(vlm_settings, make_user):
    owner = make_user("employee")
    document = clean_document(owner, "#fff")
    lifecycle.documents_claim_batch(first_id=document.pk, claimer="task-1", size=1)
    lifecycle.documents_release(document_ids=[document.pk], claimer="task-1")
    document.refresh_from_db()
    assert (document.status, document.claimed_by, document.claimed_until) == ("clean", "", None)


def test_a_worker_without_cuda_refuses_the_gpu_queue(vlm_settings):
    ok, reason = gpu.worker_may_consume_gpu()
    assert ok is False
    assert "CUDA" in reason
