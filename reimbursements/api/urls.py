"""Every route of the REST API v1, by resource (each resource's views live in its module)."""

from django.urls import path

from reimbursements.api import currencies, dashboard, inference, notifications
from reimbursements.api.auth import views as auth
from reimbursements.api.claims import views as claims
from reimbursements.api.documents import views as documents
from reimbursements.api.exports import views as exports
from reimbursements.api.review import views as review

app_name = "api"

urlpatterns = [
    # --- auth ---------------------------------------------------------------------------
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/wechat/", auth.WeChatSignInView.as_view(), name="auth-wechat"),
    path("auth/logout/", auth.SignOutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", auth.SignOutEverywhereView.as_view(), name="auth-logout-all"),
    path("me/", auth.MeView.as_view(), name="me"),
    path("tokens/", auth.NamedTokenListView.as_view(), name="token-list"),
    path("tokens/<int:pk>/", auth.NamedTokenDetailView.as_view(), name="token-detail"),
    # --- documents ----------------------------------------------------------------------
    path("documents/", documents.DocumentListView.as_view(), name="document-list"),
    path("documents/<int:pk>/", documents.DocumentDetailView.as_view(), name="document-detail"),
    path("documents/<int:pk>/file/", documents.DocumentFileView.as_view(), name="document-file"),
    path("documents/<int:pk>/retry/", documents.DocumentRetryView.as_view(), name="document-retry"),
    path(
        "documents/<int:pk>/fields/", documents.DocumentFieldsView.as_view(), name="document-fields"
    ),
    path(
        "documents/<int:pk>/corrections/",
        documents.DocumentCorrectionsView.as_view(),
        name="document-corrections",
    ),
    path(
        "documents/<int:pk>/resolve-duplicate/",
        documents.DocumentResolveDuplicateView.as_view(),
        name="document-resolve-duplicate",
    ),
    # --- claims -------------------------------------------------------------------------
    path("claims/", claims.ClaimListView.as_view(), name="claim-list"),
    path("claims/bulk-approve/", claims.ClaimBulkApproveView.as_view(), name="claim-bulk-approve"),
    path("claims/<int:pk>/", claims.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/<int:pk>/documents/", claims.ClaimDocumentsView.as_view(), name="claim-documents"),
    path(
        "claims/<int:pk>/documents/<int:document_id>/",
        claims.ClaimDocumentView.as_view(),
        name="claim-document",
    ),
    path(
        "claims/<int:pk>/documents/<int:document_id>/move/",
        claims.ClaimDocumentMoveView.as_view(),
        name="claim-document-move",
    ),
    path("claims/<int:pk>/submit/", claims.ClaimSubmitView.as_view(), name="claim-submit"),
    path("claims/<int:pk>/approve/", claims.ClaimApproveView.as_view(), name="claim-approve"),
    path("claims/<int:pk>/return/", claims.ClaimReturnView.as_view(), name="claim-return"),
    path("claims/<int:pk>/reject/", claims.ClaimRejectView.as_view(), name="claim-reject"),
    path("claims/<int:pk>/mark-paid/", claims.ClaimMarkPaidView.as_view(), name="claim-mark-paid"),
    path("claims/<int:pk>/comments/", claims.ClaimCommentsView.as_view(), name="claim-comments"),
    # --- review -------------------------------------------------------------------------
    path("review/queue/", review.ReviewQueueView.as_view(), name="review-queue"),
    # --- exports and reports ------------------------------------------------------------
    path("exports/approved/", exports.ExportApprovedView.as_view(), name="export-approved"),
    path(
        "exports/acknowledge/", exports.ExportAcknowledgeView.as_view(), name="export-acknowledge"
    ),
    path("dashboard/spend/", dashboard.SpendView.as_view(), name="dashboard-spend"),
    # --- notifications ------------------------------------------------------------------
    path("notifications/", notifications.NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/summary/",
        notifications.NotificationSummaryView.as_view(),
        name="notification-summary",
    ),
    path(
        "notifications/read-all/",
        notifications.NotificationReadAllView.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/preferences/",
        notifications.NotificationPreferenceView.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/<int:pk>/read/",
        notifications.NotificationReadView.as_view(),
        name="notification-read",
    ),
    # --- currencies ---------------------------------------------------------------------
    path("exchange-rates/", currencies.ExchangeRateListView.as_view(), name="exchange-rate-list"),
    path(
        "exchange-rates/<int:pk>/",
        currencies.ExchangeRateDetailView.as_view(),
        name="exchange-rate-detail",
    ),
    path("currencies/", currencies.CurrencyListView.as_view(), name="currency-list"),
    # --- the source article's inference contract ----------------------------------------
    path("inference", inference.InferenceView.as_view(), name="inference"),
    path("inference/", inference.InferenceView.as_view(), name="inference-slash"),
]
