"""Data model of the reimbursement workflow.

Rows are written only by ``services.py``; this module holds structure and constraints,
no business logic.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    APPROVER = "approver", "Approver"
    FINANCE = "finance", "Finance"
    ADMIN = "admin", "Admin"


class ExpenseCategory(models.TextChoices):
    TRAVEL = "travel", "Travel"
    LODGING = "lodging", "Lodging"
    MEALS = "meals", "Meals"
    TRANSPORT = "transport", "Local transport"
    OFFICE = "office", "Office supplies"
    OTHER = "other", "Other"


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_teams"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="teams", blank=True)

    def __str__(self) -> str:
        return self.name


class Claim(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        MANAGER_APPROVED = "manager_approved", "Approved by manager"
        FINANCE_APPROVED = "finance_approved", "Approved by finance"
        EXPORTED = "exported", "Exported"
        PAID = "paid", "Paid"
        RETURNED = "returned", "Returned for changes"
        REJECTED = "rejected", "Rejected"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3, default="CNY")
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When each workflow step last happened (the audit trail has who and why).
    submitted_at = models.DateTimeField(null=True, blank=True)
    manager_approved_at = models.DateTimeField(null=True, blank=True)
    finance_approved_at = models.DateTimeField(null=True, blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [models.Index(fields=("owner", "status"))]

    def __str__(self) -> str:
        return f"Claim {self.pk}: {self.title}"


class UploadBatch(models.Model):
    """One upload that became several documents: a zip of invoices (the tax platform's
    bulk download), or a PDF holding several invoices. The upload itself is not stored;
    each document is, and is scanned and read on its own."""

    class Kind(models.TextChoices):
        ARCHIVE = "archive", "Archive"
        PDF = "pdf", "PDF with several invoices"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upload_batches"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    original_filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Upload batch {self.pk} ({self.kind})"


def document_upload_path(instance: Document, filename: str) -> str:
    # The user's filename is never part of the path: a random name, a safe suffix.
    suffix = {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "application/pdf": ".pdf",
        "application/ofd": ".ofd",
        "application/xml": ".xml",
    }.get(instance.mime_type, ".bin")
    return f"documents/{uuid.uuid4().hex}{suffix}"


def masked_upload_path(instance: Document, filename: str) -> str:
    return f"masked/{uuid.uuid4().hex}.jpg"


class Document(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        SCANNING = "scanning", "Virus scan"
        CLEAN = "clean", "Clean"
        INFECTED = "infected", "Infected"
        REJECTED = "rejected", "Rejected"
        PROCESSING = "processing", "Reading the document"
        EXTRACTED = "extracted", "Fields extracted"
        NEEDS_REVIEW = "needs_review", "Needs review"
        FAILED = "failed", "Failed"
        # A photo of several documents: each is a part of its own (``parts``).
        SPLIT = "split", "Split into several documents"

    TERMINAL = frozenset({"infected", "rejected", "extracted", "needs_review", "failed", "split"})

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="documents"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    file = models.FileField(upload_to=document_upload_path, max_length=255, blank=True)
    # What reviewers and models see: the first page with personal numbers blacked out.
    masked_file = models.FileField(upload_to=masked_upload_path, max_length=255, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    mime_type = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(default=1)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    error = models.TextField(blank=True)
    scan_attempts = models.PositiveIntegerField(default=0)
    process_attempts = models.PositiveIntegerField(default=0)
    # Runs of the current step (scan, then extraction) that started and have not ended:
    # a worker killed mid-run or a time limit leaves one behind. At MAX_UNFINISHED_ATTEMPTS
    # the document fails instead of being re-queued forever; a manual retry resets it.
    unfinished_attempts = models.PositiveSmallIntegerField(default=0)
    # A GPU batch claims waiting documents; the claim expires so a dead worker's
    # documents are picked up again (by their own message or the sweeper).
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Duplicate detection: the earliest document with the same business key or image hash.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )
    duplicate_reason = models.CharField(max_length=32, blank=True)
    duplicate_resolved = models.BooleanField(default=False)
    # Another file of the same invoice from the same employee (its photo, PDF, OFD, XML):
    # the earliest such document. Linked, not a duplicate; the invoice is claimed once.
    same_invoice_as = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="other_files"
    )
    # The upload this document came out of, when one upload made several documents.
    batch = models.ForeignKey(
        UploadBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    # One of several documents found side by side in the photo ``parent`` (which keeps the
    # upload as it came): its number in reading order, and where it lies in the parent's
    # upright picture ([x0, y0, x1, y1], pixels).
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="parts"
    )
    part_index = models.PositiveSmallIntegerField(null=True, blank=True)
    region = models.JSONField(null=True, blank=True)
    # Expense category chosen by a person; blank means "derive it from the document type".
    category = models.CharField(
        max_length=16, choices=ExpenseCategory.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    scanned_at = models.DateTimeField(null=True, blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Kept fresh by a scan or extraction while its worker lives, cleared when it ends
    # (reimbursements.heartbeat): a stale one in flight means the worker died.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        indexes = [
            models.Index(fields=("owner", "status")),
            models.Index(fields=("status",)),
            # Duplicate and cache-hit lookups: the earliest document with these bytes
            # is the first index entry, however many copies exist.
            models.Index(fields=("sha256", "id"), name="document_sha256_id"),
        ]
        permissions = [
            ("view_personal_data", "Can view original documents with personal data"),
        ]

    def __str__(self) -> str:
        return f"Document {self.pk} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class ScanResult(models.Model):
    class Verdict(models.TextChoices):
        CLEAN = "clean", "Clean"
        INFECTED = "infected", "Infected"
        TOO_LARGE = "too_large", "Too large for the scanner"
        # Dev mode without clamd only: the document was NOT scanned, and says so.
        NOT_SCANNED = "not_scanned", "Not scanned (scanner not configured)"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="scans")
    scanner_version = models.CharField(max_length=200)
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    signature = models.CharField(max_length=200, blank=True)
    scanned_at = models.DateTimeField()

    class Meta:
        ordering = ("-scanned_at",)
        get_latest_by = "scanned_at"

    def __str__(self) -> str:
        return f"{self.verdict} ({self.document_id})"


class AuditEvent(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

        indexes = [models.Index(fields=("object_type", "object_id"))]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class Extraction(models.Model):
    """The structured result of reading one document; at most one per document."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="extraction")
    engine = models.CharField(max_length=32)
    engine_version = models.CharField(max_length=200, blank=True)
    model_version = models.CharField(max_length=200, blank=True)
    prompt_version = models.CharField(max_length=64, blank=True)
    document_type = models.CharField(max_length=32)
    # Key fields as real columns: searchable, indexable, exportable.
    invoice_code = models.CharField(max_length=20, blank=True)
    invoice_number = models.CharField(max_length=32, blank=True)
    issue_date = models.DateField(null=True, blank=True)
    seller_name = models.CharField(max_length=200, blank=True)
    seller_tax_id = models.CharField(max_length=32, blank=True)
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_tax_id = models.CharField(max_length=32, blank=True)
    amount_excluding_tax = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    tax_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    currency = models.CharField(max_length=3, blank=True)
    business_key = models.CharField(max_length=200, blank=True)
    # The full contract (fields incl. line items), as returned by the API.
    fields = models.JSONField(default=dict)
    # Field name -> where its value came from (extraction.schema.FieldSource values;
    # "employee" once a person changed it).
    sources = models.JSONField(default=dict, blank=True)
    # Field name -> the other sources that read the same value (a second, independent
    # reading makes the field verified); a person's edit removes the field's entry.
    agreeing = models.JSONField(default=dict, blank=True)
    # Field name -> what supports the value (extraction.calibration.FieldEvidence as a
    # dict: cross-checks passed, failed, repaired...): the review rule and its reasons.
    evidence = models.JSONField(default=dict, blank=True)
    # Field name -> {page, box: [x0, y0, x1, y1]} as fractions of the page, where the
    # value was read on the page reviewers see (OCR readings only).
    regions = models.JSONField(default=dict, blank=True)
    confidence = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    raw_output = models.TextField(blank=True)  # PII-masked before it is stored
    timings = models.JSONField(default=dict)
    from_cache = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The earliest document with a business key, read off the index in order.
            models.Index(fields=("business_key", "document"), name="extraction_key_document"),
        ]

    def __str__(self) -> str:
        return f"Extraction of document {self.document_id}"


class FieldCorrection(models.Model):
    """A reviewer's edit of one extracted field: history and fine-tuning data."""

    extraction = models.ForeignKey(Extraction, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=64)
    old_value = models.JSONField(null=True)
    # Where the value before this edit came from: with ``old_value``, the reading a
    # reviewer compares the person's value against.
    old_source = models.CharField(max_length=16, blank=True)
    # Warnings the reading before this edit had that the edit made go away (a date
    # warning on the old date, ...): kept as evidence, never silently dropped.
    old_warnings = models.JSONField(default=list, blank=True)
    new_value = models.JSONField(null=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value!r} -> {self.new_value!r}"


class ExportItem(models.Model):
    """One approved document as handed to accounting; created at finance approval.

    The id order is the export order: rows are created under a lock held until commit,
    so a reader following the cursor never skips a row that commits later.
    """

    key = models.CharField(max_length=40, unique=True)  # stable public id: "doc-<document id>"
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="export_items")
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="export_item")
    approved_at = models.DateTimeField()
    # Frozen at approval, so fetching again always returns the same item.
    payload = models.JSONField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("id",)
        indexes = [models.Index(fields=("acknowledged_at", "id"))]
        permissions = [
            ("export_approved", "Can fetch and acknowledge approved items for accounting"),
        ]

    def __str__(self) -> str:
        return self.key


class WebhookDelivery(models.Model):
    """One signed POST to the accounting webhook; the body is fixed so retries match."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.CharField(max_length=64)
    claim = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="webhook_deliveries"
    )
    url = models.CharField(max_length=500)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at",)

    def __str__(self) -> str:
        return f"{self.event} -> {self.url} ({self.status})"


class WeChatIdentity(models.Model):
    """A WeChat user (openid of our mini-program) bound to an employee account."""

    openid = models.CharField(max_length=64, unique=True)
    unionid = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wechat_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"WeChat {self.openid[:6]}… -> {self.user_id}"


class WeChatBindingCode(models.Model):
    """One-time code that binds a WeChat identity to an account (stored hashed)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"binding code for {self.user_id}"


class Notification(models.Model):
    """One thing a person should know: shown in the in-app inbox, and (for the kinds in
    ``reimbursements.notify.services.EXTERNAL_KINDS``) sent by e-mail and WeChat after
    commit. The text is rendered when shown, in the reader's language."""

    class Kind(models.TextChoices):
        CLAIM_RETURNED = "claim_returned", "Claim returned"
        CLAIM_APPROVED = "claim_approved", "Claim approved"
        CLAIM_REJECTED = "claim_rejected", "Claim rejected"
        CLAIM_PAID = "claim_paid", "Claim paid"
        CLAIM_WAITING = "claim_waiting", "Claim waiting for review"
        DOCUMENT_ATTENTION = "document_attention", "Document needs attention"

    class Delivery(models.TextChoices):
        SKIPPED = "skipped", "Not sent (off, or no address)"
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # The state the claim or document moved to (approved by manager or by finance, ...).
    status = models.CharField(max_length=20, blank=True)
    comment = models.TextField(blank=True)  # the reviewer's reason, masked like the audit's
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.SKIPPED
    )
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=500, blank=True)
    wechat_status = models.CharField(
        max_length=10, choices=Delivery.choices, default=Delivery.SKIPPED
    )
    wechat_attempts = models.PositiveSmallIntegerField(default=0)
    wechat_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("recipient", "read_at"), name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.recipient_id}"


class NotificationPreference(models.Model):
    """A person's choice of channels; without a row, both are on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField(default=True)
    wechat = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"notification channels of {self.user_id}"


class ExchangeRate(models.Model):
    """One unit of ``from_currency`` is worth ``rate`` units of ``to_currency`` from
    ``date`` on (until a later rate of the pair). Finance maintains the table."""

    from_currency = models.CharField(max_length=3)
    to_currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=20, decimal_places=8)
    date = models.DateField()
    source = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("from_currency", "to_currency", "-date")
        constraints = [
            models.UniqueConstraint(
                fields=("from_currency", "to_currency", "date"), name="exchange_rate_pair_date"
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(from_currency=models.F("to_currency")),
                name="exchange_rate_two_currencies",
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.from_currency} = {self.rate} {self.to_currency} ({self.date})"


class Profile(models.Model):
    """A person's own settings (notification channels have their own row)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # The language everything the server says to this person is in; blank: the browser's
    # (Accept-Language).
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, blank=True, default="")

    def __str__(self) -> str:
        return f"profile of {self.user_id}"


class NamedToken(models.Model):
    """An API token a person created for an integration and named (the sign-in tokens of
    devices have no row here). Revoking it deletes knox's token, and this row with it."""

    token = models.OneToOneField(
        settings.KNOX_TOKEN_MODEL, on_delete=models.CASCADE, related_name="named"
    )
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"token {self.name!r}"
