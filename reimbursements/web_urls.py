from django.urls import path

from reimbursements import web_views

urlpatterns = [
    path("", web_views.app, name="app"),
    path("login/", web_views.login_view, name="login"),
    path("logout/", web_views.logout_view, name="logout"),
    path("favicon.ico", web_views.favicon, name="favicon"),
]
