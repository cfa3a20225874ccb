from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from beatbook.accounts import services
from beatbook.accounts.models import ApiToken
from beatbook.accounts.passwords import ContextWordValidator
from beatbook.core.actors import SYSTEM
from beatbook.core.exceptions import PermissionDenied
from beatbook.core.models import AuditEntry

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery 42"


def code_for(user: Any) -> str:
    """The authenticator code at the current (possibly travelled) time."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, t0=device.t0, step=device.step):06d}"


def post_login(
    client: Client,
    username: str,
    password: str = PASSWORD,
    code: str = "",
    acknowledge: bool = True,
    **extra: Any,
) -> Any:
    data = {"username": username, "password": password, "otp_token": code}
    if acknowledge:
        data["acknowledge"] = "on"
    return client.post("/accounts/login/", data, **extra)


class TestLoginPage:
    def test_shows_the_system_use_notice(self, client: Client) -> None:
        body = client.get("/accounts/login/").content.decode()
        assert "Authorized use only" in body
        assert "monitored and recorded" in body
        assert "criminal and" in body

    def test_refuses_a_login_without_acknowledging_the_notice(
        self, client: Client, agency: Any
    ) -> None:
        response = post_login(
            client, "dispatcher", code=code_for(agency["dispatcher"]), acknowledge=False
        )
        assert response.status_code == 400
        assert "acknowledge the system-use notice" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_password_and_code_sign_in_verified(self, client: Client, agency: Any) -> None:
        response = post_login(client, "dispatcher", code=code_for(agency["dispatcher"]))
        assert response.status_code == 302
        assert response["Location"] == "/"
        assert client.get("/calls/board/").status_code == 200
        assert AuditEntry.objects.filter(verb="logged in", actor=agency["dispatcher"]).exists()

    def test_a_used_code_cannot_be_replayed(self, agency: Any) -> None:
        code = code_for(agency["dispatcher"])
        assert post_login(Client(), "dispatcher", code=code).status_code == 302
        assert post_login(Client(), "dispatcher", code=code).status_code == 400

    def test_wrong_code_is_refused_like_a_wrong_password(self, client: Client, agency: Any) -> None:
        wrong_code = post_login(client, "dispatcher", code="000000")
        wrong_password = post_login(
            Client(), "dispatcher", password="nope nope nope", code=code_for(agency["dispatcher"])
        )
        unknown_user = post_login(Client(), "nobody", code="123456")
        for response in (wrong_code, wrong_password, unknown_user):
            assert response.status_code == 400
            assert "Username, password or code is not valid." in response.content.decode()

    def test_login_sets_a_new_session_key(self, client: Client, agency: Any) -> None:
        client.get("/accounts/login/")
        client.session.save()
        before = client.session.session_key
        post_login(client, "dispatcher", code=code_for(agency["dispatcher"]))
        assert client.session.session_key != before


class TestLockout:
    def test_five_failures_lock_until_an_admin_unlocks(self, agency: Any) -> None:
        for _ in range(5):
            post_login(Client(), "dispatcher", password="wrong password!")
        locked = post_login(Client(), "dispatcher", code=code_for(agency["dispatcher"]))
        assert locked.status_code == 429
        assert "administrator must release it" in locked.content.decode()
        with time_machine.travel(timezone.now() + dt.timedelta(hours=24)):
            later = post_login(Client(), "dispatcher", code=code_for(agency["dispatcher"]))
            assert later.status_code == 429
        with pytest.raises(PermissionDenied):
            services.user_unlock(actor=agency["supervisor"], user=agency["dispatcher"])
        services.user_unlock(actor=agency["admin"], user=agency["dispatcher"])
        assert (
            post_login(Client(), "dispatcher", code=code_for(agency["dispatcher"])).status_code
            == 302
        )
        verbs = set(AuditEntry.objects.values_list("verb", flat=True))
        assert {"account locked", "account unlocked", "login failed"} <= verbs

    def test_only_consecutive_failures_count(self, agency: Any) -> None:
        for _ in range(4):
            post_login(Client(), "analyst", password="wrong password!")
        assert post_login(Client(), "analyst", code=code_for(agency["analyst"])).status_code == 302
        for _ in range(4):
            post_login(Client(), "analyst", password="wrong password!")
        assert not AccessAttempt.objects.filter(username="analyst", failures_since_start__gte=5)

    def test_wrong_codes_count_towards_the_lockout(self, agency: Any) -> None:
        for _ in range(5):
            post_login(Client(), "analyst", code="000000")
        assert post_login(Client(), "analyst", code=code_for(agency["analyst"])).status_code == 429

    @override_settings(BEATBOOK_LOGIN_IP_LIMIT=3)
    def test_one_address_guessing_many_accounts_is_throttled(self, agency: Any) -> None:
        for name in ("cso", "analyst", "supervisor"):
            post_login(Client(), name, password="wrong password!")
        response = post_login(Client(), "dispatcher", code=code_for(agency["dispatcher"]))
        assert response.status_code == 429
        assert response["Retry-After"]


class TestSecondFactor:
    def test_a_password_alone_reaches_only_the_mfa_setup(self, client_for: Any) -> None:
        client = client_for("dispatcher", verified=False)
        response = client.get("/calls/board/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/mfa/"
        api = client.get("/api/v1/calls/")
        assert api.status_code == 401
        assert api.json()["code"] == "mfa_required"

    def test_first_sign_in_enrols_an_authenticator(self, agency: Any) -> None:
        user = services.user_create(actor=SYSTEM, username="newcso", role="cso", password=PASSWORD)
        client = Client()
        assert post_login(client, "newcso")["Location"] == "/accounts/mfa/"
        page = client.get("/accounts/mfa/")
        assert page.status_code == 200
        assert "<svg" in page.content.decode()
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        assert client.post("/accounts/mfa/", {"otp_token": "000000"}).status_code == 400
        # Straight after a failure even the right code is refused (throttle, R03).
        assert (
            client.post("/accounts/mfa/", {"otp_token": f"{totp(device.bin_key):06d}"}).status_code
            == 400
        )
        with time_machine.travel(timezone.now() + dt.timedelta(seconds=5)):
            code = f"{totp(device.bin_key):06d}"
            confirmed = client.post("/accounts/mfa/", {"otp_token": code})
        assert confirmed.status_code == 200
        assert confirmed.content.decode().count("<li><code>") == 10
        assert TOTPDevice.objects.get(user=user).confirmed
        assert client.get("/calls/field/").status_code == 200


class TestSessionTimeouts:
    def test_idle_session_locks_after_thirty_minutes(self, client_for: Any) -> None:
        client = client_for("dispatcher")
        assert client.get("/calls/board/").status_code == 200
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=29)):
            assert client.get("/calls/board/").status_code == 200
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=29 + 31)):
            response = client.get("/calls/board/")
            assert response.status_code == 302
            assert "/accounts/login/" in response["Location"]
        assert client.get("/calls/board/").status_code == 302

    def test_polling_does_not_count_as_activity(self, client_for: Any) -> None:
        client = client_for("dispatcher")
        client.get("/calls/board/")
        for minutes in (10, 20, 29):
            with time_machine.travel(timezone.now() + dt.timedelta(minutes=minutes)):
                poll = client.get("/calls/board/live/", HTTP_X_BEATBOOK_POLL="1")
                assert poll.status_code == 200
        with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
            assert client.get("/calls/board/live/", HTTP_X_BEATBOOK_POLL="1").status_code == 302

    def test_sessions_end_after_twelve_hours_even_when_active(self, client_for: Any) -> None:
        client = client_for("dispatcher")
        client.get("/calls/board/")
        start = timezone.now()
        for step in range(1, 36):
            with time_machine.travel(start + dt.timedelta(minutes=step * 20)):
                assert client.get("/calls/board/").status_code == 200
        with time_machine.travel(start + dt.timedelta(hours=12, minutes=1)):
            assert client.get("/calls/board/").status_code == 302

    def test_logout_ends_the_session_and_clears_site_data(self, client_for: Any) -> None:
        client = client_for("dispatcher")
        response = client.post("/accounts/logout/")
        assert response["Clear-Site-Data"]
        assert client.get("/calls/board/").status_code == 302


class TestAccountLifecycle:
    def test_disabling_a_user_ends_their_sessions_and_tokens(
        self, client_for: Any, agency: Any
    ) -> None:
        client = client_for("dispatcher")
        _, raw = services.api_token_issue(
            actor=agency["admin"], user=agency["dispatcher"], name="script"
        )
        api = Client()
        assert api.get("/api/v1/calls/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
        services.user_disable(actor=agency["admin"], user=agency["dispatcher"], reason="left")
        assert client.get("/calls/board/").status_code == 302
        assert api.get("/api/v1/calls/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 401

    def test_api_tokens_are_stored_hashed_and_can_be_revoked(self, agency: Any) -> None:
        token, raw = services.api_token_issue(
            actor=agency["admin"], user=agency["analyst"], name="report"
        )
        assert raw not in ApiToken.objects.values_list("key_hash", flat=True)
        assert token.key_hash != raw
        assert len(token.key_hash) == 64
        services.api_token_revoke(actor=agency["admin"], token=token)
        response = Client().get("/api/v1/calls/", HTTP_AUTHORIZATION=f"Token {raw}")
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"

    def test_a_token_records_its_last_use_to_the_minute(self, agency: Any) -> None:
        token, raw = services.api_token_issue(
            actor=agency["admin"], user=agency["analyst"], name="report"
        )
        assert token.last_used_at is None
        api = Client()
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            assert api.get("/api/v1/calls/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == start
        with time_machine.travel(start + dt.timedelta(seconds=50), tick=False):
            assert api.get("/api/v1/calls/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == start  # no write for every request
        later = start + dt.timedelta(seconds=61)
        with time_machine.travel(later, tick=False):
            assert api.get("/api/v1/calls/", HTTP_AUTHORIZATION=f"Token {raw}").status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == later

    def test_only_admins_issue_tokens(self, agency: Any) -> None:
        with pytest.raises(PermissionDenied):
            services.api_token_issue(actor=agency["supervisor"], user=agency["cso"], name="x")


class TestPasswordAndCookiePolicy:
    def test_production_settings_hash_with_argon2_and_secure_cookies(self) -> None:
        production = importlib.import_module("beatbook.config.settings")
        assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
        assert production.SESSION_COOKIE_NAME == "__Host-sessionid"
        assert production.CSRF_COOKIE_NAME == "__Host-csrftoken"
        assert production.SESSION_COOKIE_SECURE
        assert production.SESSION_COOKIE_HTTPONLY
        assert production.SESSION_EXPIRE_AT_BROWSER_CLOSE
        assert production.SECURE_HSTS_SECONDS >= 31_536_000
        assert production.SECURE_HSTS_INCLUDE_SUBDOMAINS
        assert production.AXES_FAILURE_LIMIT == 5
        assert production.AXES_COOLOFF_TIME is None

    def test_argon2_parameters_meet_the_floor(self) -> None:
        from django.contrib.auth.hashers import Argon2PasswordHasher

        encoded = Argon2PasswordHasher().encode("a long passphrase", "saltsaltsaltsalt")
        params = Argon2PasswordHasher().decode(encoded)
        assert encoded.startswith("argon2$argon2id$")
        assert params["memory_cost"] >= 19 * 1024
        assert params["time_cost"] >= 2

    def test_context_words_are_refused_with_a_reason(self) -> None:
        with pytest.raises(ValidationError, match="built around"):
            ContextWordValidator().validate("beatbook2026")
        ContextWordValidator().validate("a genuinely long passphrase for beatbook")
