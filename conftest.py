"""Personas and the small test agency, shared by every app's tests and the browser tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from beatbook.core.testing import agency_build, login


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Tests that empty the database between runs (transactional and browser tests) do it with
    TRUNCATE, which the audit table's guard refuses; the test database drops that one trigger
    after checking that the migration made it."""
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger WHERE tgname = 'core_auditentry_no_truncate'"
                )
                assert cursor.fetchone()[0] == 1, "the TRUNCATE guard is missing"
                cursor.execute(
                    "SELECT count(*) FROM pg_trigger "
                    "WHERE tgname = 'property_custodyevent_no_truncate'"
                )
                assert cursor.fetchone()[0] == 1, "the custody TRUNCATE guard is missing"
                cursor.execute("DROP TRIGGER core_auditentry_no_truncate ON core_auditentry")
                cursor.execute(
                    "DROP TRIGGER property_custodyevent_no_truncate ON property_custodyevent"
                )


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    """Each test starts with an empty cache: a board rendered by the test before (cached
    for BEATBOOK_BOARD_REFRESH_SECONDS) or a rate-limit counter must not leak into it."""
    from django.core.cache import cache

    from beatbook.core.reference import reference_copies_clear

    cache.clear()
    reference_copies_clear()  # a test's call types and beats are rolled back with it
    yield
    cache.clear()
    reference_copies_clear()


@pytest.fixture(autouse=True)
def _agency_language() -> Any:
    """Each test starts in the agency's language. A request to an /es/ page leaves Spanish
    active in the thread (LocaleMiddleware activates, nothing resets), so a later test in
    the same worker saw "Patrulla ciudadana" for "Citizen patrol": a failure that depended on
    which tests xdist happened to run before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _custody_checkpoints_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Each test writes its signed custody checkpoints to its own folder."""
    settings.BEATBOOK_CUSTODY_CHECKPOINT_DIR = str(tmp_path / "custody-checkpoints")


@pytest.fixture
def agency(db: Any) -> dict[str, Any]:
    return agency_build()


def _persona(name: str) -> Any:
    @pytest.fixture
    def persona(agency: dict[str, Any]) -> Any:
        return agency[name]

    persona.__name__ = name
    return persona


cso = _persona("cso")
cso_other_team = _persona("cso_other_team")
dispatcher = _persona("dispatcher")
supervisor = _persona("supervisor")
analyst = _persona("analyst")
admin = _persona("admin")
victim_services = _persona("victim_services")


@pytest.fixture
def client_for(agency: dict[str, Any]) -> Any:
    """client_for("dispatcher") → a test client signed in and MFA-verified as that persona."""

    def make(name: str, *, verified: bool = True, csrf: bool = False) -> Client:
        return login(Client(enforce_csrf_checks=csrf), agency[name], verified=verified)

    return make


def pytest_report_header(config: Any) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"beatbook database: {engine}"


@pytest.fixture
def agency_tx(transactional_db: Any) -> dict[str, Any]:
    """The small agency in a test whose transactions really commit (races, live servers)."""
    return agency_build()


@pytest.fixture
def delivered(django_capture_on_commit_callbacks: Any) -> Any:
    """Emails go out on commit; this runs those callbacks when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
