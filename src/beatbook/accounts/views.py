from __future__ import annotations

import base64
import datetime as dt
import time
from typing import Any

import segno
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from beatbook.accounts import services
from beatbook.accounts.forms import LoginForm, TotpConfirmForm
from beatbook.accounts.models import RecoveryCodeDevice
from beatbook.accounts.recovery import looks_like_recovery_code
from beatbook.accounts.selectors import (
    recovery_codes_left,
    recovery_device_for,
    totp_device_for,
)
from beatbook.core.middleware import client_ip
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import EVERY_ROLE

INVALID_LOGIN = "Username, password or code is not valid."


def lockout_response(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Shown after 5 consecutive failures; only an administrator can release the account."""
    return render(request, "accounts/locked_out.html", status=429)


def _ip_throttled(request: HttpRequest) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.BEATBOOK_LOGIN_IP_WINDOW_SECONDS)
    failures = AccessFailureLog.objects.filter(
        ip_address=client_ip(request), attempt_time__gte=since
    ).count()
    return failures >= settings.BEATBOOK_LOGIN_IP_LIMIT


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("core:home")


class LoginView(View):
    template_name = "accounts/login.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request, self.template_name, {"form": LoginForm(), "next": request.GET.get("next", "")}
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if _ip_throttled(request):
            response = render(request, "accounts/throttled.html", status=429)
            response["Retry-After"] = str(settings.BEATBOOK_LOGIN_IP_WINDOW_SECONDS)
            return response
        form = LoginForm(request.POST)
        if not form.is_valid():
            return render(
                request, self.template_name, {"form": form, "next": _safe_next(request)}, status=400
            )
        data = form.cleaned_data
        user = authenticate(request, username=data["username"], password=data["password"])
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        if user is None or not getattr(user, "role", ""):
            form.add_error(None, INVALID_LOGIN)
            return render(request, self.template_name, {"form": form}, status=400)
        device = totp_device_for(user=user)
        code = data["otp_token"].strip()
        if device is not None and looks_like_recovery_code(code):
            device = recovery_device_for(user=user)
        if device is not None and not (code and device.verify_token(code)):
            # A wrong code counts towards the lockout exactly like a wrong password.
            user_login_failed.send(
                sender=__name__, request=request, credentials={"username": data["username"]}
            )
            if getattr(request, "axes_locked_out", False):
                return lockout_response(request)
            form.add_error(None, INVALID_LOGIN)
            return render(request, self.template_name, {"form": form}, status=400)
        login(request, user)
        request.session["auth_at"] = time.time()
        request.session["last_activity"] = time.time()
        if device is not None:
            otp_login(request, device)
            if isinstance(device, RecoveryCodeDevice):
                messages.warning(
                    request,
                    f"You signed in with a recovery code; "
                    f"{device.codes.filter(used_at__isnull=True).count()} remain. "
                    "Make new ones on your Security page.",
                )
            return HttpResponseRedirect(_safe_next(request))
        return HttpResponseRedirect(reverse("accounts:mfa_setup"))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    response = HttpResponseRedirect(reverse("accounts:login"))
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


class MfaSetupView(View):
    """First sign-in: bind an authenticator app before anything else is reachable."""

    template_name = "accounts/mfa_setup.html"

    def _device(self, request: HttpRequest) -> Any:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
        user = request_user(request)
        return device or services.totp_device_create(actor=user, user=user, confirmed=False)

    def _context(self, request: HttpRequest, form: TotpConfirmForm) -> dict[str, Any]:
        device = self._device(request)
        qr = segno.make(device.config_url, micro=False)
        return {
            "form": form,
            "secret": base64.b32encode(device.bin_key).decode(),
            "qr_svg": qr.svg_inline(scale=4),
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("accounts:login"))
        if request.user.is_verified():  # type: ignore[attr-defined,union-attr]
            return HttpResponseRedirect(reverse("core:home"))
        if totp_device_for(user=request.user) is not None:  # type: ignore[arg-type]
            logout(request)
            return HttpResponseRedirect(reverse("accounts:login"))
        return render(request, self.template_name, self._context(request, TotpConfirmForm()))

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated or totp_device_for(user=request.user):  # type: ignore[arg-type]
            return HttpResponseRedirect(reverse("accounts:login"))
        form = TotpConfirmForm(request.POST)
        device = self._device(request)
        if form.is_valid() and device.verify_token(form.cleaned_data["otp_token"].strip()):
            user = request_user(request)
            services.totp_device_confirm(user=user, device=device)
            otp_login(request, device)
            codes = services.recovery_codes_generate(actor=user, user=user)
            messages.success(request, "Your authenticator app is set up.")
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error("otp_token", "That code did not match. Check the time on your phone.")
        return render(request, self.template_name, self._context(request, form), status=400)


class SecurityView(RoleRequiredMixin, View):
    """A person's own sign-in security: recovery codes and password."""

    allowed_roles = EVERY_ROLE

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        return render(
            request,
            "accounts/security.html",
            {
                "codes_left": recovery_codes_left(user=user),
                "password_changed_at": user.password_changed_at,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        codes = services.recovery_codes_generate(actor=user, user=user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes})


class PasswordChangeView(RoleRequiredMixin, View):
    allowed_roles = EVERY_ROLE
    template_name = "accounts/password_change.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PasswordChangeForm(request_user(request))
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        user = request_user(request)
        form = PasswordChangeForm(user, request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        services.user_password_change(
            actor=user, user=user, new_password=form.cleaned_data["new_password1"]
        )
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed.")
        return HttpResponseRedirect(reverse("core:home"))
