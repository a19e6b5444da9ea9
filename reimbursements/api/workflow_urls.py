"""Routes of the workflow, review and export endpoints (included by api/urls.py)."""

from django.urls import path

from reimbursements.api import workflow_views as views

urlpatterns = [
    path("claims/bulk-approve/", views.ClaimBulkApproveView.as_view(), name="claim-bulk-approve"),
    path("claims/<int:pk>/submit/", views.ClaimSubmitView.as_view(), name="claim-submit"),
    path("claims/<int:pk>/approve/", views.ClaimApproveView.as_view(), name="claim-approve"),
    path("claims/<int:pk>/return/", views.ClaimReturnView.as_view(), name="claim-return"),
    path("claims/<int:pk>/reject/", views.ClaimRejectView.as_view(), name="claim-reject"),
    path("claims/<int:pk>/mark-paid/", views.ClaimMarkPaidView.as_view(), name="claim-mark-paid"),
    path("claims/<int:pk>/comments/", views.ClaimCommentsView.as_view(), name="claim-comments"),
    path("review/queue/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("documents/<int:pk>/fields/", views.DocumentFieldsView.as_view(), name="document-fields"),
    path(
        "documents/<int:pk>/corrections/",
        views.DocumentCorrectionsView.as_view(),
        name="document-corrections",
    ),
    path(
        "documents/<int:pk>/resolve-duplicate/",
        views.DocumentResolveDuplicateView.as_view(),
        name="document-resolve-duplicate",
    ),
    path("exports/approved/", views.ExportApprovedView.as_view(), name="export-approved"),
    path("exports/acknowledge/", views.ExportAcknowledgeView.as_view(), name="export-acknowledge"),
]
