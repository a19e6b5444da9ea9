from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from invoice_assistant import health
from invoice_assistant.metrics import metrics_view

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # POST language=zh-hans|en: the sign-in page's language switch (a cookie; a signed-in
    # person's own choice, PATCH /api/v1/me/, wins over it).
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("reimbursements.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("reimbursements.web_urls")),
]

# JSON under /api/, Django's HTML pages elsewhere.
handler400 = "invoice_assistant.error_views.bad_request"
handler403 = "invoice_assistant.error_views.permission_denied"
handler404 = "invoice_assistant.error_views.page_not_found"
handler500 = "invoice_assistant.error_views.server_error"
