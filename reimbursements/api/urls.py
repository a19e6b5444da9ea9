from django.urls import include, path

from reimbursements.api import claim_document_views, dashboard_views, token_views, views

app_name = "api"

urlpatterns = [
    path("", include("reimbursements.api.workflow_urls")),
    path("", include("reimbursements.api.notify_urls")),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/wechat/", views.WeChatSignInView.as_view(), name="auth-wechat"),
    path("auth/logout/", views.SignOutView.as_view(), name="auth-logout"),
    path("auth/logout-all/", views.SignOutEverywhereView.as_view(), name="auth-logout-all"),
    path("me/", views.MeView.as_view(), name="me"),
    path("tokens/", token_views.NamedTokenListView.as_view(), name="token-list"),
    path("tokens/<int:pk>/", token_views.NamedTokenDetailView.as_view(), name="token-detail"),
    path("documents/", views.DocumentListView.as_view(), name="document-list"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="document-detail"),
    path("documents/<int:pk>/file/", views.DocumentFileView.as_view(), name="document-file"),
    path("documents/<int:pk>/retry/", views.DocumentRetryView.as_view(), name="document-retry"),
    path("claims/", views.ClaimListView.as_view(), name="claim-list"),
    path("claims/<int:pk>/", views.ClaimDetailView.as_view(), name="claim-detail"),
    path("claims/<int:pk>/documents/", views.ClaimDocumentsView.as_view(), name="claim-documents"),
    path(
        "claims/<int:pk>/documents/<int:document_id>/",
        claim_document_views.ClaimDocumentView.as_view(),
        name="claim-document",
    ),
    path(
        "claims/<int:pk>/documents/<int:document_id>/move/",
        claim_document_views.ClaimDocumentMoveView.as_view(),
        name="claim-document-move",
    ),
    path("dashboard/spend/", dashboard_views.SpendView.as_view(), name="dashboard-spend"),
    path("inference", views.InferenceView.as_view(), name="inference"),
    path("inference/", views.InferenceView.as_view(), name="inference-slash"),
]
