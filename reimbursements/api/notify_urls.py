"""Routes of the inbox and the exchange-rate table (included by api/urls.py)."""

from django.urls import path

from reimbursements.api import notify_views as views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/summary/",
        views.NotificationSummaryView.as_view(),
        name="notification-summary",
    ),
    path(
        "notifications/read-all/",
        views.NotificationReadAllView.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/preferences/",
        views.NotificationPreferenceView.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/<int:pk>/read/",
        views.NotificationReadView.as_view(),
        name="notification-read",
    ),
    path("exchange-rates/", views.ExchangeRateListView.as_view(), name="exchange-rate-list"),
    path(
        "exchange-rates/<int:pk>/",
        views.ExchangeRateDetailView.as_view(),
        name="exchange-rate-detail",
    ),
    path("currencies/", views.CurrencyListView.as_view(), name="currency-list"),
]
