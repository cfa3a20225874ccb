from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from beatbook.alerts import services
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.core.testing import assert_refused

pytestmark = pytest.mark.django_db

BIKE = {
    "topic": "bicycle_theft",
    "title": "Lock your bike well",
    "title_es": "Asegure bien su bicicleta",
    "summary": "Two locks, a fixed object, and a registered serial number.",
    "summary_es": "Dos candados, un objeto fijo y el número de serie registrado.",
    "body": "Use a U-lock through the frame.\n\nRegister the serial number with us.",
    "body_es": "Use un candado en U a través del cuadro.\n\nRegistre el número de serie.",
    "is_published": True,
}


class TestArticles:
    def test_staff_write_and_change_articles_with_history_and_unique_slugs(
        self, agency: dict[str, Any]
    ) -> None:
        first = services.article_save(actor=agency["cso"], **BIKE)
        second = services.article_save(actor=agency["analyst"], **(BIKE | {"is_published": False}))
        assert (first.slug, second.slug) == ("lock-your-bike-well", "lock-your-bike-well-2")
        services.article_save(
            actor=agency["supervisor"], article=first, **(BIKE | {"summary": "Two locks."})
        )
        entries = list(history_for(first))
        assert [e.verb for e in entries] == ["article written", "article changed"]
        assert entries[1].data == {"summary": "Two locks."}
        with pytest.raises(PermissionDenied):
            services.article_save(actor=agency["dispatcher"], **BIKE)

    def test_a_published_article_is_never_half_translated(self, agency: dict[str, Any]) -> None:
        with pytest.raises(ValidationFailed, match="both the Spanish"):
            services.article_save(actor=agency["cso"], **(BIKE | {"body_es": ""}))
        draft = services.article_save(
            actor=agency["cso"], **(BIKE | {"body_es": "", "is_published": False})
        )
        assert not draft.is_published


class TestPortalLibrary:
    def test_residents_read_published_articles_in_their_language(
        self, client: Client, client_for: Any, agency: dict[str, Any]
    ) -> None:
        article = services.article_save(actor=agency["cso"], **BIKE)
        hidden = services.article_save(
            actor=agency["cso"], **(BIKE | {"title": "Unfinished", "is_published": False})
        )
        index = client.get("/portal/prevention/").content.decode()
        assert "Lock your bike well" in index
        assert "Unfinished" not in index
        assert client.get(f"/portal/prevention/{hidden.slug}/").status_code == 404
        page = client.get(f"/es/portal/prevention/{article.slug}/").content.decode()
        assert "Asegure bien su bicicleta" in page
        assert "<p>Registre el número de serie.</p>" in page
        assert "Tester" not in page
        assert_refused(client.get("/alerts/library/"))
        assert client_for("dispatcher").get("/alerts/library/").status_code == 403
        response = client_for("cso").post(
            f"/alerts/library/{article.pk}/", BIKE | {"title": "", "is_published": "on"}
        )
        assert response.status_code == 400
        article.refresh_from_db()
        assert article.title == "Lock your bike well"
