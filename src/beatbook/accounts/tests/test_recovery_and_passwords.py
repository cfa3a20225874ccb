"""Recovery codes (R03), password rules and expiry (R04), cookie attributes (R07)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import check_password, make_password
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from beatbook.accounts import services
from beatbook.accounts.models import RecoveryCode
from beatbook.accounts.recovery import ALPHABET, CODE_LENGTH, recovery_code_new
from beatbook.accounts.tests.test_login import PASSWORD, post_login
from beatbook.core.exceptions import PermissionDenied
from beatbook.core.models import AuditEntry

pytestmark = pytest.mark.django_db


class TestRecoveryCodes:
    def test_codes_have_enough_entropy_and_are_not_stored_in_clear(self, agency: Any) -> None:
        assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 20
        codes = {recovery_code_new() for _ in range(1000)}
        assert len(codes) == 1000
        issued = services.recovery_codes_generate(actor=agency["cso"], user=agency["cso"])
        stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
        assert len(issued) == 10
        for code in issued:
            assert code not in stored
            assert code.replace("-", "") not in stored

    def test_a_code_signs_in_once_instead_of_the_authenticator(self, agency: Any) -> None:
        code = services.recovery_codes_generate(actor=agency["cso"], user=agency["cso"])[0]
        first = Client()
        response = post_login(first, "cso", code=code.lower())
        assert response.status_code == 302
        assert first.get("/calls/field/").status_code == 200
        assert post_login(Client(), "cso", code=code).status_code == 400

    def test_new_codes_replace_the_old_and_only_admins_make_them_for_others(
        self, agency: Any
    ) -> None:
        old = services.recovery_codes_generate(actor=agency["cso"], user=agency["cso"])
        services.recovery_codes_generate(actor=agency["cso"], user=agency["cso"])
        assert post_login(Client(), "cso", code=old[1]).status_code == 400
        with pytest.raises(PermissionDenied):
            services.recovery_codes_generate(actor=agency["supervisor"], user=agency["cso"])

    def test_security_page_makes_new_codes(self, client_for: Any) -> None:
        client = client_for("analyst")
        assert "0 unused recovery codes" in client.get("/accounts/security/").content.decode()
        page = client.post("/accounts/security/").content.decode()
        assert page.count("<li><code>") == 10
        assert "10 unused recovery codes" in client.get("/accounts/security/").content.decode()


class TestPasswordRules:
    @settings(max_examples=25, deadline=None)
    @given(
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=15, max_size=128
        )
    )
    def test_long_unicode_passwords_verify_exactly(self, password: str) -> None:
        encoded = make_password(password)
        assert check_password(password, encoded)
        assert not check_password(password + "x", encoded)

    def test_no_truncation_at_72_bytes(self) -> None:
        password = "a" * 72 + "b"
        encoded = make_password(password)
        assert not check_password("a" * 72 + "c", encoded)

    def test_common_and_context_passwords_are_refused_with_reasons(self, client_for: Any) -> None:
        client = client_for("analyst")
        for weak, reason in (("password123", "too common"), ("beatbook-2026", "built around")):
            response = client.post(
                "/accounts/password/",
                {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
            )
            assert response.status_code == 400
            assert reason in response.content.decode()


class TestPasswordExpiry:
    def test_a_password_older_than_a_year_must_be_changed(
        self, client_for: Any, agency: Any
    ) -> None:
        with time_machine.travel(timezone.now() + dt.timedelta(days=366)):
            client = client_for("dispatcher")
            response = client.get("/calls/board/")
            assert response.status_code == 302
            assert response["Location"] == "/accounts/password/"
            assert client.get("/api/v1/calls/").json()["code"] == "password_expired"
            new = "a brand new passphrase for the desk"
            changed = client.post(
                "/accounts/password/",
                {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
            )
            assert changed.status_code == 302
            assert client.get("/calls/board/").status_code == 200
        assert AuditEntry.objects.filter(
            verb="password changed", actor=agency["dispatcher"]
        ).exists()

    def test_an_admin_can_force_a_change_after_a_compromise(
        self, client_for: Any, agency: Any
    ) -> None:
        client = client_for("cso")
        assert client.get("/calls/field/").status_code == 200
        services.user_force_password_change(
            actor=agency["admin"], user=agency["cso"], reason="phished"
        )
        assert client.get("/calls/field/")["Location"] == "/accounts/password/"
        with pytest.raises(PermissionDenied):
            services.user_force_password_change(
                actor=agency["supervisor"], user=agency["cso"], reason="x"
            )


@override_settings(
    SESSION_COOKIE_NAME="__Host-sessionid",
    CSRF_COOKIE_NAME="__Host-csrftoken",
    SESSION_COOKIE_SECURE=True,
    CSRF_COOKIE_SECURE=True,
)
def test_login_cookies_carry_every_protective_attribute(agency: Any) -> None:
    from beatbook.accounts.tests.test_login import code_for

    client = Client()
    client.get("/accounts/login/", secure=True)
    response = post_login(client, "dispatcher", code=code_for(agency["dispatcher"]), secure=True)
    session = response.cookies["__Host-sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert session["path"] == "/"
    assert not session["domain"]
    assert len(session.value) >= 32
