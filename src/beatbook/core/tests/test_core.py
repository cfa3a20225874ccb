from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from beatbook.core.actors import SYSTEM
from beatbook.core.history import history_record
from beatbook.core.models import AppendOnlyError, AuditEntry
from beatbook.core.numbering import number_next

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_when_the_database_is_unreachable(
    client: Client, monkeypatch: Any
) -> None:
    def broken_cursor(*args: Any, **kwargs: Any) -> Any:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_numbers_are_sequential_per_prefix_and_year() -> None:
    first, second = number_next(prefix="CFS"), number_next(prefix="CFS")
    other = number_next(prefix="RPT")
    assert int(second[-6:]) == int(first[-6:]) + 1
    assert other.endswith("-000001")
    assert other.startswith("RPT-")


def test_a_rolled_back_number_is_issued_again() -> None:
    """Numbers are gap-free: a transaction that fails after taking one gives it back."""
    first = number_next(prefix="CIT")
    with pytest.raises(RuntimeError), transaction.atomic():
        number_next(prefix="CIT")
        raise RuntimeError("the citation could not be saved")
    assert int(number_next(prefix="CIT")[-6:]) == int(first[-6:]) + 1


def test_each_year_starts_at_one() -> None:
    number_next(prefix="CFS")
    next_year = timezone.now() + dt.timedelta(days=366)
    assert (
        number_next(prefix="CFS", at=next_year)
        == f"CFS-{timezone.localtime(next_year).year}-000001"
    )


class TestAuditTrailIsAppendOnly:
    def test_orm_cannot_change_or_delete_entries(self) -> None:
        entry = history_record(obj=None, actor=SYSTEM, verb="test")
        entry.verb = "rewritten"
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.filter(pk=entry.pk).update(verb="x")
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.all().delete()

    def test_database_refuses_raw_changes_on_postgresql(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("the trigger exists on PostgreSQL; SQLite relies on the ORM guard")
        # conftest drops the TRUNCATE guard in the test database (flushes need TRUNCATE);
        # put it back inside this transaction to prove it refuses. TRUNCATE comes first,
        # before this transaction has inserted anything.
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON "
                "core_auditentry FOR EACH STATEMENT "
                "EXECUTE FUNCTION beatbook_refuse_change()"
            )
            cursor.execute("TRUNCATE core_auditentry CASCADE")
        entry = history_record(obj=None, actor=SYSTEM, verb="test")
        for sql in (
            "UPDATE core_auditentry SET verb = 'x' WHERE id = %s",
            "DELETE FROM core_auditentry WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [entry.pk])

    def test_entries_are_utc_with_microseconds_and_escape_control_characters(
        self, client: Client, agency: Any
    ) -> None:
        client.post(
            "/accounts/login/",
            {"username": "evil\r\nadmin logged in", "password": "x", "acknowledge": "on"},
        )
        entry = AuditEntry.objects.filter(verb="login failed").last()
        assert entry.at.utcoffset().total_seconds() == 0
        assert "\n" not in entry.data["username"]
        assert "\\r\\n" in entry.data["username"]


def test_every_response_carries_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Request-ID"]


def test_signed_in_pages_are_not_cached(client_for: Any) -> None:
    assert client_for("dispatcher").get("/calls/board/")["Cache-Control"] == "no-store"


class TestScrubText:
    def test_removes_emails_phones_and_names_whole_or_in_part(self) -> None:
        from beatbook.core.redaction import scrub_text

        text = "Ann Lee (ann.lee@example.org, +1 206-555-0100) saw Lee's dog on 5th Ave"
        assert scrub_text(text, names=["Ann Lee"]) == (
            "[removed] ([removed], [removed]) saw [removed]'s dog on 5th Ave"
        )

    def test_keeps_house_numbers_and_short_words(self) -> None:
        from beatbook.core.redaction import scrub_text

        assert scrub_text("Car at 1512 Pine St since May 3", names=["Al"]) == (
            "Car at 1512 Pine St since May 3"
        )

    def test_a_name_goes_whole_before_its_parts_and_in_any_case(self) -> None:
        from beatbook.core.redaction import scrub_text

        text = "MARIA DE LA CRUZ and Maria's cousin Cruzita, maria@x.org"
        assert scrub_text(text, names=["Maria de la Cruz", "", "  "]) == (
            "[removed] and [removed]'s cousin Cruzita, [removed]"
        )


class TestCacheSetting:
    def _settings_caches(self, url: str) -> subprocess.CompletedProcess[str]:
        code = (
            "import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.CACHES['default']))"
        )
        env = {**os.environ, "BEATBOOK_CACHE_URL": url}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env["DJANGO_SETTINGS_MODULE"] = "beatbook.config.settings"
        return subprocess.run(  # noqa: S603
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
        )

    def test_a_redis_url_selects_the_redis_cache(self) -> None:
        result = self._settings_caches("redis://127.0.0.1:6379/3")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout.splitlines()[-1]) == {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/3",
            "KEY_PREFIX": "beatbook",
        }

    def test_another_scheme_is_refused_with_a_clear_message(self) -> None:
        result = self._settings_caches("memcached://127.0.0.1:11211")
        assert result.returncode != 0
        assert "BEATBOOK_CACHE_URL must be a redis://" in result.stderr


def test_the_embedded_database_folder_is_created_when_missing(tmp_path: Any) -> None:
    """A fresh BEATBOOK_VAR_DIR (a new checkout has no var/) must not fail with SQLite's
    "unable to open database file": the settings make the folder, SQLite the file."""
    var = tmp_path / "not" / "yet"
    code = (
        "import django; django.setup(); from django.db import connection; "
        "connection.cursor().execute('SELECT 1'); print(connection.settings_dict['NAME'])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="beatbook.config.settings", BEATBOOK_VAR_DIR=str(var))
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == str(var / "beatbook.sqlite3")
    assert (var / "beatbook.sqlite3").exists()


class TestCachedPolicyCsp:
    """The cached policy must be exactly the one django-csp would build."""

    @staticmethod
    def respond(path: str, view: Any) -> tuple[Any, Any]:
        from django.test import RequestFactory

        from beatbook.core.middleware import CachedPolicyCSPMiddleware

        request = RequestFactory().get(path)
        return request, CachedPolicyCSPMiddleware(view)(request)

    @staticmethod
    def page_with_nonce(request: Any) -> Any:
        from django.http import HttpResponse

        return HttpResponse(str(request.csp_nonce))

    @staticmethod
    def plain_page(request: Any) -> Any:
        from django.http import HttpResponse

        return HttpResponse("plain")

    def test_equals_the_librarys_policy_with_a_fresh_nonce_each_time(self) -> None:
        from csp.utils import build_policy

        _, first = self.respond("/portal/", self.page_with_nonce)
        _, second = self.respond("/portal/", self.page_with_nonce)
        nonce = first.content.decode()
        assert first["Content-Security-Policy"] == build_policy(nonce=nonce)
        assert f"'nonce-{nonce}'" in first["Content-Security-Policy"]
        assert second.content != first.content
        assert second["Content-Security-Policy"] == build_policy(nonce=second.content.decode())

    def test_without_a_nonce_equals_the_librarys_policy(self) -> None:
        from csp.utils import build_policy

        request, response = self.respond("/portal/", self.plain_page)
        assert response["Content-Security-Policy"] == build_policy()
        assert "nonce-" not in response["Content-Security-Policy"]
        from csp.exceptions import CSPNonceError

        with pytest.raises(CSPNonceError):
            str(request.csp_nonce)

    def test_excluded_prefixes_get_no_policy(self) -> None:
        _, response = self.respond("/api/v1/calls/", self.plain_page)
        assert "Content-Security-Policy" not in response

    def test_a_views_own_policy_goes_through_the_library(self) -> None:
        from csp.utils import build_policy

        update = {"img-src": ["https://tiles.example.org"]}

        def page(request: Any) -> Any:
            response = self.plain_page(request)
            response._csp_update = update
            return response

        _, response = self.respond("/portal/", page)
        assert response["Content-Security-Policy"] == build_policy(update=update)
        assert "https://tiles.example.org" in response["Content-Security-Policy"]

    def test_a_changed_setting_is_picked_up(self) -> None:
        from django.test import override_settings

        self.respond("/portal/", self.plain_page)  # fills the cache
        with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
            _, response = self.respond("/portal/", self.plain_page)
        assert response["Content-Security-Policy"] == "default-src 'none'"
        _, response = self.respond("/portal/", self.plain_page)
        assert "script-src 'self'" in response["Content-Security-Policy"]

    def test_no_policy_set_means_no_header(self) -> None:
        from django.test import override_settings

        with override_settings(CONTENT_SECURITY_POLICY=None):
            _, response = self.respond("/portal/", self.plain_page)
        assert "Content-Security-Policy" not in response


def test_the_wsgi_entry_loads_every_view_and_hides_start_up_from_the_collector() -> None:
    """Full garbage collections walked every module object, pausing a worker for up to
    270 ms under load (B8); the WSGI module freezes what start-up built."""
    probe = (
        "import gc, sys; import beatbook.config.wsgi; "
        "print(gc.get_freeze_count(), 'beatbook.calls.views' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "beatbook.config.settings_test"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    frozen, views_loaded = result.stdout.split()
    assert int(frozen) > 100_000
    assert views_loaded == "True"
