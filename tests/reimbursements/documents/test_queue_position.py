"""While a document waits for a worker, the API says how many documents are ahead of it."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from invoice_assistant.celery import app
from reimbursements.models import Document
from tests.reimbursements.factories import UserFactory

pytestmark = pytest.mark.django_db


def _document(owner, status: str) -> Document:
    return Document.objects.create(
        owner=owner,
        file="documents/a.png",
        sha256="a" * 64,
        size=10,
        mime_type="image/jpeg",
        status=status,
    )


def test_the_queue_position_appears_and_decreases_as_documents_ahead_finish() -> None:
    # Given another employee's documents being read and waiting, then mine
    other, me = UserFactory(), UserFactory()
    reading = _document(other, Document.Status.PROCESSING)
    waiting = _document(other, Document.Status.CLEAN)
    mine = _document(me, Document.Status.RECEIVED)
    api = APIClient()
    api.force_authenticate(me)

    def position() -> int | None:
        response = api.get(f"/api/v1/documents/{mine.pk}/")
        assert response.status_code == 200
        return response.json()["queue_position"]

    # When I look at my document / Then two are ahead of it
    assert position() == 2
    # When the one being read finishes, then one is ahead; when the next one does, none
    Document.objects.filter(pk=reading.pk).update(status=Document.Status.EXTRACTED)
    assert position() == 1
    Document.objects.filter(pk=waiting.pk).update(status=Document.Status.FAILED)
    assert position() == 0
    # When mine is being read / Then it no longer waits in line
    Document.objects.filter(pk=mine.pk).update(status=Document.Status.PROCESSING)
    assert position() is None


def test_pool_processes_are_recycled_on_memory_by_default() -> None:
    # Given the Celery app as the worker loads it / Then a pool process that grew past
    # 1.5 GB is replaced after its task (Celery counts KiB), with no task-count limit
    assert app.conf.worker_max_memory_per_child == 1536 * 1024
    assert app.conf.worker_max_tasks_per_child is None
