from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from lxml import etree

from beatbook.alerts import services
from beatbook.alerts.cap import NAMESPACE, cap_document
from beatbook.alerts.tests.factories import draft, published

pytestmark = pytest.mark.django_db
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "data" / "CAP-v1.2.xsd")))
NS = {"cap": NAMESPACE}


def _valid(document: bytes) -> Any:
    tree = etree.fromstring(document)
    SCHEMA.assertValid(tree)
    return tree


class TestCapDocument:
    def test_a_published_alert_validates_with_both_languages_and_its_beats(
        self, agency: dict[str, Any]
    ) -> None:
        alert = published(agency["cso"], agency["supervisor"], beats=[agency["a1"]])
        tree = _valid(cap_document(alert))
        assert tree.findtext("cap:identifier", namespaces=NS) == alert.number
        assert tree.findtext("cap:msgType", namespaces=NS) == "Alert"
        sent = tree.findtext("cap:sent", namespaces=NS)
        assert "Z" not in sent
        assert "." not in sent
        infos = tree.findall("cap:info", namespaces=NS)
        assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["en-US", "es-US"]
        assert infos[1].findtext("cap:headline", namespaces=NS) == alert.headline_es
        area = infos[0].find("cap:area", namespaces=NS)
        assert area.findtext("cap:areaDesc", namespaces=NS) == "Beats A1"
        polygon = area.findtext("cap:polygon", namespaces=NS).split()
        assert len(polygon) >= 4
        assert polygon[0] == polygon[-1]
        lat, lon = map(float, polygon[0].split(","))
        assert 47 < lat < 48
        assert -123 < lon < -122

    def test_a_whole_agency_announcement_in_english_only_validates(
        self, agency: dict[str, Any]
    ) -> None:
        alert = published(
            agency["cso"],
            agency["supervisor"],
            kind="announcement",
            category="Safety",
            headline_es="",
            description_es="",
            instruction="",
            instruction_es="",
            urgency="Future",
            severity="Unknown",
            certainty="Unknown",
        )
        tree = _valid(cap_document(alert))
        assert len(tree.findall("cap:info", namespaces=NS)) == 1
        assert tree.find("cap:info/cap:instruction", namespaces=NS) is None
        assert "All of" in tree.findtext("cap:info/cap:area/cap:areaDesc", namespaces=NS)

    def test_a_withdrawn_alert_becomes_a_cancel_that_references_the_original(
        self, agency: dict[str, Any]
    ) -> None:
        alert = published(agency["cso"], agency["supervisor"])
        original = _valid(cap_document(alert))
        services.alert_cancel(actor=agency["supervisor"], alert=alert, reason="Repair finished")
        alert.refresh_from_db()
        cancel = _valid(cap_document(alert))
        assert cancel.findtext("cap:msgType", namespaces=NS) == "Cancel"
        assert cancel.findtext("cap:identifier", namespaces=NS) == f"{alert.number}-cancel"
        sender = original.findtext("cap:sender", namespaces=NS)
        sent = original.findtext("cap:sent", namespaces=NS)
        assert cancel.findtext("cap:references", namespaces=NS) == f"{sender},{alert.number},{sent}"

    def test_the_schema_check_really_refuses_a_z_time(self, agency: dict[str, Any]) -> None:
        alert = published(agency["cso"], agency["supervisor"])
        document = cap_document(alert).decode()
        sent = etree.fromstring(document.encode()).findtext("cap:sent", namespaces=NS)
        broken = document.replace(f"<sent>{sent}</sent>", "<sent>2026-11-22T10:00:00Z</sent>")
        with pytest.raises(etree.DocumentInvalid):
            SCHEMA.assertValid(etree.fromstring(broken.encode()))

    def test_drafts_have_no_public_cap_document(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        alert = draft(agency["cso"])
        assert client.get(f"/portal/alerts/{alert.number}.xml").status_code == 404
        assert client.get(f"/portal/alerts/{alert.number}/").status_code == 404


class TestFeeds:
    def test_the_atom_feed_lists_live_alerts_with_their_cap_link(
        self, client: Client, agency: dict[str, Any]
    ) -> None:
        live = published(agency["cso"], agency["supervisor"])
        gone = published(agency["cso"], agency["supervisor"], headline="Old notice")
        services.alert_cancel(actor=agency["supervisor"], alert=gone, reason="Over")
        draft(agency["cso"], headline="Not yet approved")
        response = client.get("/portal/alerts.atom")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/atom+xml")
        feed = etree.fromstring(response.content)
        atom = {"a": "http://www.w3.org/2005/Atom"}
        entries = feed.findall("a:entry", namespaces=atom)
        assert [e.findtext("a:title", namespaces=atom) for e in entries] == [live.headline]
        cap_link = entries[0].find("a:link[@type='application/cap+xml']", namespaces=atom)
        assert cap_link.get("href").endswith(f"/portal/alerts/{live.number}.xml")
        cap = client.get(f"/portal/alerts/{live.number}.xml")
        assert cap["Content-Type"] == "application/cap+xml; charset=utf-8"
        _valid(cap.content)
        spanish = etree.fromstring(client.get("/es/portal/alerts.atom").content)
        assert spanish.find("a:entry/a:title", namespaces=atom).text == live.headline_es
