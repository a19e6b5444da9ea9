"""Export to accounting: incremental and idempotent pages, layouts, acknowledge, webhook."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from reimbursements import workflow
from reimbursements.exports import voucher
from reimbursements.exports.tasks import deliver_webhook
from reimbursements.models import Claim, ExportItem, WebhookDelivery
from tests.reimbursements.factories import UserFactory
from tests.reimbursements.workflow_helpers import (
    finance_approved_claim,
    make_document,
    manager_approved_claim,
)

URL = "/api/v1/exports/approved/"


@pytest.fixture
def finance(org) -> APIClient:
    client = APIClient()
    client.force_authenticate(org.finance)
    return client


def fetch(client: APIClient, **params) -> dict:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def all_pages(client: APIClient, limit: int) -> list[str]:
    ids: list[str] = []
    cursor = None
    for _ in range(50):
        page = fetch(client, limit=limit, **({"cursor": cursor} if cursor else {}))
        ids.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return ids
    raise AssertionError("the cursor never ended")


def acknowledge(client: APIClient, ids: list[str]) -> dict:
    response = client.post("/api/v1/exports/acknowledge/", {"ids": ids}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


# --- listing ----------------------------------------------------------------------------


def test_an_approved_document_is_listed_with_its_fields(org, finance):
    # Given a finance-approved claim with one 专票 of 113.00 (13.00 tax)
    claim = finance_approved_claim(
        org, document_type="vat_special", amount="100.00", tax="13.00", total="113.00"
    )
    document = claim.documents.get()
    # When finance fetches the export
    (item,) = fetch(finance)["items"]
    # Then the item has a stable id and the fields accounting needs
    assert item["id"] == f"doc-{document.pk}"
    assert (item["claim"], item["document"], item["employee"]) == (
        claim.pk,
        document.pk,
        org.employee.username,
    )
    assert (item["total_amount"], item["tax_amount"], item["currency"]) == (
        "113.00",
        "13.00",
        "CNY",
    )
    assert item["category"] == "meals"  # derived: the seller is a 餐饮 company
    assert item["approved_at"]


def test_claims_not_yet_approved_by_finance_are_not_exported(org, finance):
    # Given a claim approved only by the manager
    manager_approved_claim(org)
    # Then the export is empty
    assert fetch(finance)["items"] == []


def test_fetching_again_returns_the_same_items(org, finance):
    # Given two approved claims
    finance_approved_claim(org)
    finance_approved_claim(org, documents=2)
    # When the same page is fetched twice
    first = fetch(finance)
    second = fetch(finance)
    # Then both answers are identical
    assert first == second
    assert len(first["items"]) == 3


def test_following_the_cursor_returns_every_item_exactly_once(org, finance):
    # Given five approved documents over three claims
    for documents in (1, 2, 2):
        finance_approved_claim(org, documents=documents)
    # When the client pages through one item at a time
    ids = all_pages(finance, limit=1)
    # Then every item comes exactly once
    assert sorted(ids) == sorted(ExportItem.objects.values_list("key", flat=True))
    assert len(ids) == len(set(ids)) == 5


def test_limit_counts_items_even_inside_one_claim(org, finance):
    # Given a claim with three documents
    finance_approved_claim(org, documents=3)
    # When the client asks for one item, as JSON and as CSV
    page = fetch(finance, limit=1)
    response = finance.get(URL, {"limit": 1, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    # Then it gets exactly one, and the cursor says more follow
    assert len(page["items"]) == 1 and len(rows) == 1
    assert page["has_more"] is True and response["X-Has-More"] == "true"


def test_a_voucher_page_never_splits_a_claim(org, finance):
    # Given a claim with three documents
    finance_approved_claim(org, documents=3)
    # When the client asks for one item in the voucher layout (which must balance)
    response = finance.get(URL, {"limit": 1, "format": "voucher"})
    # Then the page holds the whole claim
    assert response.status_code == 200
    assert response["X-Has-More"] == "false"


def test_the_cursor_continues_after_new_approvals(org, finance):
    # Given a client that fetched everything approved so far
    finance_approved_claim(org)
    cursor = fetch(finance)["next_cursor"]
    # When another claim is approved and the client continues from its cursor
    later = finance_approved_claim(org)
    page = fetch(finance, cursor=cursor)
    # Then it gets only the new item
    assert [i["id"] for i in page["items"]] == [f"doc-{later.documents.get().pk}"]


def test_a_cursor_that_was_not_issued_is_refused(finance):
    # When a made-up cursor is sent
    response = finance.get(URL, {"cursor": "not-a-cursor!"})
    # Then it is a 400 in the error shape
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_cursor"


# --- acknowledge ------------------------------------------------------------------------


def test_acknowledged_items_leave_the_default_listing_but_can_be_shown(org, finance):
    # Given an approved claim whose item was acknowledged
    claim = finance_approved_claim(org)
    key = f"doc-{claim.documents.get().pk}"
    acknowledge(finance, [key])
    # Then the default listing omits it and include_acknowledged shows it
    assert fetch(finance)["items"] == []
    (item,) = fetch(finance, include_acknowledged=1)["items"]
    assert item["id"] == key and item["acknowledged_at"]


def test_a_claim_is_exported_once_all_its_items_are_acknowledged(org, finance):
    # Given an approved claim with two documents
    claim = finance_approved_claim(org, documents=2)
    first, second = (f"doc-{d.pk}" for d in claim.documents.order_by("pk"))
    # When only one item is acknowledged, the claim waits; after both, it is exported
    acknowledge(finance, [first])
    waiting = Claim.objects.get(pk=claim.pk).status
    result = acknowledge(finance, [second])
    # Then
    assert waiting == Claim.Status.FINANCE_APPROVED
    assert result["exported_claims"] == [claim.pk]
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.EXPORTED


def test_acknowledging_again_changes_nothing(org, finance):
    # Given an acknowledged item
    claim = finance_approved_claim(org)
    key = f"doc-{claim.documents.get().pk}"
    acknowledge(finance, [key])
    stamp = ExportItem.objects.get().acknowledged_at
    # When it is acknowledged again, together with an unknown id
    result = acknowledge(finance, [key, "doc-999999"])
    # Then it is reported as already done, its time is unchanged, the unknown id is listed
    assert result == {
        "acknowledged": [],
        "already_acknowledged": [key],
        "unknown": ["doc-999999"],
        "exported_claims": [],
    }
    assert ExportItem.objects.get().acknowledged_at == stamp


# --- who may export ---------------------------------------------------------------------


def test_an_employee_cannot_export(org):
    # Given an ordinary employee
    client = APIClient()
    client.force_authenticate(org.employee)
    # When they fetch the export
    response = client.get(URL)
    # Then it is forbidden
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_token_user_with_the_export_permission_can_export(org):
    # Given an integration user with only the export permission, using a token
    integration = UserFactory(roles=("employee",))
    integration.user_permissions.add(Permission.objects.get(codename="export_approved"))
    finance_approved_claim(org)
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/",
        {"username": integration.username, "password": "correct horse battery staple"},
        format="json",
    ).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    # When it fetches the export
    response = client.get(URL)
    # Then it gets the item
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


# --- file layouts -----------------------------------------------------------------------


def test_csv_has_the_json_columns_and_rows(org, finance):
    # Given an approved claim
    finance_approved_claim(org, documents=2)
    items = fetch(finance)["items"]
    # When the same page is fetched as CSV
    response = finance.get(URL, {"format": "csv"})
    # Then the CSV has the same columns and values, and the cursor headers
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(items[0])
    assert [r["id"] for r in rows] == [i["id"] for i in items]
    assert rows[0]["total_amount"] == items[0]["total_amount"]
    assert response["X-Has-More"] == "false" and response["X-Next-Cursor"]


def test_csv_opens_in_excel_as_utf8_with_codes_kept_as_text(org, finance):
    # Given an approved 普票 whose code starts with a zero, and a 20-digit 数电票 number
    finance_approved_claim(
        org,
        seller_name="北京某某餐饮有限公司",
        invoice_code="012001800311",
        invoice_number="26377000000217799580",
    )
    # When exported as CSV
    data = finance.get(URL, {"format": "csv"}).content
    # Then it starts with the UTF-8 byte-order mark (Excel then reads UTF-8, not GBK)
    assert data.startswith(b"\xef\xbb\xbf")
    (row,) = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert row["seller_name"] == "北京某某餐饮有限公司"
    # And the codes start with a tab, which Excel keeps as text (zeros and all 20 digits)
    assert row["invoice_code"] == "\t012001800311"
    assert row["invoice_number"] == "\t26377000000217799580"


def test_spreadsheet_formulas_in_extracted_text_are_defused(org, finance):
    # Given a seller name that a spreadsheet would run as a formula
    finance_approved_claim(org, seller_name='=HYPERLINK("http://evil","x")')
    # When exported as CSV and XLSX
    csv_text = finance.get(URL, {"format": "csv"}).content.decode()
    sheet = load_workbook(io.BytesIO(finance.get(URL, {"format": "xlsx"}).content)).active
    # Then it is text starting with a quote in both
    assert "'=HYPERLINK" in csv_text
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("seller_name") + 1)
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_xlsx_has_the_json_columns_with_numeric_amounts(org, finance):
    # Given an approved claim
    finance_approved_claim(org, total="88.80")
    # When fetched as XLSX
    response = finance.get(URL, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    # Then the header is the JSON keys and the total is a number
    header = [c.value for c in sheet[1]]
    assert header == list(fetch(finance)["items"][0])
    assert sheet.cell(row=2, column=header.index("total_amount") + 1).value == 88.8


def test_the_voucher_debits_expense_and_input_vat_and_credits_the_employee(org, finance):
    # Given a claim with a 专票 (office, 100 + 13 tax) and a taxi receipt (transport, 30)
    claim = manager_approved_claim(
        org,
        document_type="vat_special",
        amount="100.00",
        tax="13.00",
        total="113.00",
        category="office",
    )
    make_document(org.employee, claim, document_type="taxi_receipt", total="30.00")
    workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    # When fetched in the voucher layout
    response = finance.get(URL, {"format": "voucher"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [
        dict(zip(voucher.COLUMNS, (c.value for c in r), strict=True)) for r in sheet.iter_rows(2)
    ]
    # Then: office 100.00, transport 30.00, input VAT 13.00 debit; 2241 credit 143.00
    lines = {
        r["科目代码"]: (Decimal(str(r["借方金额"])), Decimal(str(r["贷方金额"]))) for r in rows
    }
    assert lines == {
        "660205": (Decimal("100"), Decimal("0")),
        "660204": (Decimal("30"), Decimal("0")),
        "22210101": (Decimal("13"), Decimal("0")),
        "2241": (Decimal("0"), Decimal("143")),
    }
    assert {r["凭证号"] for r in rows} == {claim.pk}
    assert {r["凭证字"] for r in rows} == {"记"}


money = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)


@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),
            st.sampled_from(["travel", "meals", "office", "other"]),
            st.sampled_from(["vat_special", "vat_general", "train_ticket"]),
            money,
            st.one_of(st.none(), money),
        ),
        min_size=1,
        max_size=12,
    )
)
@hypothesis_settings(max_examples=150, deadline=None)
def test_every_voucher_balances(items):
    # Given any mix of items (even a tax larger than the total)
    rows = [
        {
            "claim": claim,
            "category": category,
            "document_type": kind,
            "total_amount": str(total),
            "tax_amount": None if tax is None else str(tax),
            "employee": "e",
            "employee_name": "E",
            "currency": "CNY",
            "approved_at": "2026-03-01T10:00:00+08:00",
        }
        for claim, category, kind, total, tax in items
    ]
    # When vouchers are built
    lines = voucher.build_vouchers(rows)
    # Then in each voucher debits equal credits, and the credit is the claims' total
    for number in {line.number for line in lines}:
        mine = [line for line in lines if line.number == number]
        assert sum(x.debit for x in mine) == sum(x.credit for x in mine)
        expected = sum(Decimal(r["total_amount"]) for r in rows if r["claim"] == number)
        assert sum(x.credit for x in mine) == expected


# --- webhook ----------------------------------------------------------------------------


class Receiver:
    """A real HTTP server in a thread that answers with scripted status codes."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                code = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


SECRET = "webhook-secret-for-tests-0123456789"


def approve_with_webhook(org, settings, receiver, django_capture_on_commit_callbacks):
    settings.EXPORT_WEBHOOK_URL = receiver.url
    settings.EXPORT_WEBHOOK_SECRET = SECRET
    claim = manager_approved_claim(org)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.claim_approve(actor=org.finance, claim_id=claim.pk)
    delivery = WebhookDelivery.objects.get(claim=claim)
    return claim, delivery, callbacks


def test_finance_approval_posts_a_signed_webhook(org, settings, django_capture_on_commit_callbacks):
    with Receiver([]) as receiver:
        # Given a configured webhook and a finance approval that queued one delivery
        claim, delivery, callbacks = approve_with_webhook(
            org, settings, receiver, django_capture_on_commit_callbacks
        )
        # When the worker runs the task
        deliver_webhook.apply(args=(str(delivery.pk),))
    # Then the receiver got the claim, signed with HMAC-SHA256 of the exact body
    # enqueued only after commit (next to the owner's notification e-mail)
    assert [c for c in callbacks if "deliver_webhook" in repr(c)]
    ((headers, body),) = receiver.requests
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-IA-Signature"] == f"sha256={expected}"
    assert headers["X-IA-Delivery"] == str(delivery.pk)
    payload = json.loads(body)
    assert (payload["event"], payload["claim"]["id"]) == ("claim.finance_approved", claim.pk)
    assert [i["id"] for i in payload["items"]] == [f"doc-{claim.documents.get().pk}"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_a_failing_receiver_gets_the_same_signed_body_again(
    org, settings, django_capture_on_commit_callbacks
):
    with Receiver([503, 503]) as receiver:
        # Given a receiver that fails twice with 503
        _, delivery, _ = approve_with_webhook(
            org, settings, receiver, django_capture_on_commit_callbacks
        )
        # When the task runs (retries run in-process here)
        deliver_webhook.apply(args=(str(delivery.pk),))
    # Then the third attempt succeeds with identical bytes, signature and delivery id
    assert len(receiver.requests) == 3
    assert len({body for _, body in receiver.requests}) == 1
    assert len({h["X-IA-Signature"] for h, _ in receiver.requests}) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)


def test_a_refusing_receiver_is_not_retried(org, settings, django_capture_on_commit_callbacks):
    with Receiver([400]) as receiver:
        # Given a receiver that answers 400 (it will never accept this body)
        _, delivery, _ = approve_with_webhook(
            org, settings, receiver, django_capture_on_commit_callbacks
        )
        # When the task runs
        deliver_webhook.apply(args=(str(delivery.pk),))
    # Then one attempt, and the delivery is marked failed
    assert len(receiver.requests) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("failed", 400)


def test_retries_stop_after_the_configured_maximum(
    org, settings, django_capture_on_commit_callbacks
):
    with Receiver([503] * 10) as receiver:
        # Given a receiver that is down and at most two retries
        settings.EXPORT_WEBHOOK_MAX_RETRIES = 2
        _, delivery, _ = approve_with_webhook(
            org, settings, receiver, django_capture_on_commit_callbacks
        )
        # When the task runs
        deliver_webhook.apply(args=(str(delivery.pk),))
    # Then it tried three times and gave up
    assert len(receiver.requests) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 3)


def test_the_management_command_writes_the_same_page(org, tmp_path):
    # Given an approved claim
    claim = finance_approved_claim(org)
    out = tmp_path / "approved.csv"
    # When the page is written from the command line
    call_command("export_approved", "--format", "csv", "--output", str(out), stderr=io.StringIO())
    # Then the file holds the item, and nothing was acknowledged
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert [r["id"] for r in rows] == [f"doc-{claim.documents.get().pk}"]
    assert ExportItem.objects.filter(acknowledged_at__isnull=False).count() == 0
