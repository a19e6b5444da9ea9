"""One upload, from the bytes an employee sent to the documents it became.

The API's upload endpoint only parses the request and serialises the answer; what
happens in between is decided here: bytes already read for this owner answer from the
cache, anything else is checked by intake and stored (one document per file, archive
member or invoice cut out of a PDF), all or nothing.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.contrib.auth.models import User

from invoice_assistant import metrics
from reimbursements.documents import cache_hit
from reimbursements.documents.upload import documents_create, prime_relations
from reimbursements.intake import accept_upload, sniff_type
from reimbursements.models import Document, UploadBatch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadOutcome:
    """``batch`` is None when the upload was one document (``documents`` holds it)."""

    batch: UploadBatch | None
    documents: list[Document]


def document_upload(
    *, owner: User, data: bytes, name: str, claim_id: int | None = None
) -> UploadOutcome:
    """Store an upload as documents (or answer it from the cache); raises
    ``IntakeError`` when any part is refused, and then nothing is stored."""
    mime_type = sniff_type(data) if data else None
    if data and mime_type != "application/zip":
        cached = cache_hit.answer_from_cache(
            owner=owner,
            sha256=hashlib.sha256(data).hexdigest(),
            name=name,
            claim_id=claim_id,
            mime_type=mime_type,
        )
        if cached is not None:
            return UploadOutcome(batch=None, documents=[cached])
    accepted = accept_upload(data, name=name)
    metrics.UPLOAD_BYTES.observe(len(data))
    log.info(
        "upload accepted",
        extra={"upload_name": accepted.original_name, "documents": len(accepted.files)},
    )
    batch, documents = documents_create(owner=owner, upload=accepted, claim_id=claim_id)
    for document in documents:
        # The uploader owns them and nothing else has touched them yet: no read-back.
        prime_relations(document, scans=[], extraction=None)
    return UploadOutcome(batch=batch, documents=documents)
