"""Server-side pages: sign-in and the single-page app shell."""

from __future__ import annotations

import functools
import io

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from reimbursements.scanning import scanner_configured


@ensure_csrf_cookie
def app(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # The login page adds the app's own route (the #fragment the server never sees).
        return redirect_to_login(request.get_full_path(), login_url=reverse("login"))
    built = settings.BASE_DIR / "frontend" / "web" / "dist" / "index.html"
    if built.is_file():
        return HttpResponse(built.read_text(encoding="utf-8"))
    return render(request, "app.html", {"scanning_available": scanner_configured()})


@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        user = authenticate(
            request,
            username=request.POST.get("username", ""),
            password=request.POST.get("password", ""),
        )
        if user is not None and user.is_active:
            login(request, user)
            return redirect(_safe_next(request) or "app")
        error = gettext("Wrong username or password.")
    return render(
        request,
        "login.html",
        {"error": error, "scanning_available": scanner_configured(), "next": _safe_next(request)},
        status=400 if error else 200,
    )


def _safe_next(request: HttpRequest) -> str:
    """Where a sign-in was headed (a deep link into the app), when it stays on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@functools.cache
def _favicon_bytes() -> bytes:
    """The app's icon (a receipt on the brand blue), drawn once per process."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 63, 63), radius=12, fill=(37, 99, 235, 255))
    draw.rectangle((18, 12, 46, 52), fill=(255, 255, 255, 255))
    for y in (22, 30, 38):
        draw.line((23, y, 41, y), fill=(37, 99, 235, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()


@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")
