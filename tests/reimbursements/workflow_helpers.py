"""Builders shared by the workflow, policy, correction and export tests.

Documents are created as the pipeline leaves them (status + Extraction row in the
extract-CLI contract shape), without running OCR: these tests are about what happens
after extraction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from extraction.identity import business_key
from extraction.schema import DocumentType, ExtractionResult, InvoiceFields
from reimbursements import workflow
from reimbursements.models import Claim, Document, Extraction
from tests.reimbursements.factories import ClaimFactory, TeamFactory, UserFactory

_counter = itertools.count(1)


@dataclass
class Org:
    employee: User
    manager: User
    finance: User
    outsider: User  # an employee in no team of the manager


def make_org() -> Org:
    manager = UserFactory(roles=("employee", "approver"))
    employee = UserFactory(roles=("employee",))
    team = TeamFactory(manager=manager)
    team.members.add(employee)
    return Org(
        employee=employee,
        manager=manager,
        finance=UserFactory(roles=("employee", "finance")),
        outsider=UserFactory(roles=("employee",)),
    )


def client_for(user: User) -> APIClient:
    """An API client signed in as ``user``."""
    client = APIClient()
    client.force_authenticate(user)
    return client


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def make_document(
    owner: User,
    claim: Claim | None = None,
    *,
    status: str = Document.Status.EXTRACTED,
    document_type: str = "vat_general",
    total: str | None = "100.00",
    tax: str | None = None,
    amount: str | None = None,
    issue_date: dt.date | str | None = "recent",
    seller_name: str | None = "北京某某餐饮有限公司",
    currency: str | None = "CNY",
    category: str = "",
    extracted: bool = True,
    warnings: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> Document:
    n = next(_counter)
    document = Document.objects.create(
        owner=owner,
        claim=claim,
        original_filename=f"invoice-{n}.jpg",
        sha256=hashlib.sha256(f"doc-{n}-{timezone.now().isoformat()}".encode()).hexdigest(),
        size=1000,
        mime_type="image/jpeg",
        status=status,
        category=category,
    )
    if not extracted:
        return document
    day = days_ago(10) if issue_date == "recent" else issue_date
    assert day is None or isinstance(day, dt.date)
    fields = InvoiceFields(
        invoice_code=extra.pop("invoice_code", None),
        invoice_number=extra.pop("invoice_number", f"{n:08d}"),
        issue_date=day,
        seller_name=seller_name,
        seller_tax_id=extra.pop("seller_tax_id", None),
        amount_excluding_tax=_dec(amount),
        tax_amount=_dec(tax),
        total_amount=_dec(total),
        total_in_words=extra.pop("total_in_words", None),
        currency=currency,
    )
    # As the pipeline stores them: every present field read by the engine unless given.
    sources = extra.pop("sources", None)
    if sources is None:
        sources = dict.fromkeys(fields.present(), "ocr")
    assert not extra, f"unknown fields {extra}"
    Extraction.objects.create(
        document=document,
        engine="ocr",
        document_type=document_type,
        invoice_code=fields.invoice_code or "",
        invoice_number=fields.invoice_number or "",
        issue_date=fields.issue_date,
        seller_name=fields.seller_name or "",
        amount_excluding_tax=fields.amount_excluding_tax,
        tax_amount=fields.tax_amount,
        total_amount=fields.total_amount,
        currency=fields.currency or "",
        business_key=business_key(
            ExtractionResult(document_type=DocumentType(document_type), fields=fields)
        ),
        fields=fields.to_contract(),
        sources=sources,
        confidence={"total_amount": 0.95, "issue_date": 0.95, "seller_name": 0.95},
        warnings=warnings or [],
    )
    return document


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def make_claim(owner: User, *, documents: int = 1, **document_kwargs: Any) -> Claim:
    claim = cast(Claim, ClaimFactory(owner=owner))
    for _ in range(documents):
        make_document(owner, claim, **document_kwargs)
    return claim


def submitted_claim(org: Org, **kwargs: Any) -> Claim:
    claim = make_claim(org.employee, **kwargs)
    return workflow.claim_submit(actor=org.employee, claim_id=claim.pk)


def manager_approved_claim(org: Org, **kwargs: Any) -> Claim:
    claim = submitted_claim(org, **kwargs)
    return workflow.claim_approve(actor=org.manager, claim_id=claim.pk)


def finance_approved_claim(org: Org, **kwargs: Any) -> Claim:
    claim = manager_approved_claim(org, **kwargs)
    return workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
