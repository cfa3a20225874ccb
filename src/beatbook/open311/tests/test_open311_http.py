"""Contract tests over HTTP for every Open311 operation, in JSON and XML, and every error."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  (parsing our own server's output)

import jsonschema
import pytest
from django.test import override_settings
from django.utils import timezone

from beatbook.calls.models import Call
from beatbook.calls.tests.factories import intake
from beatbook.core.actors import SYSTEM
from beatbook.core.testing import INSIDE_A1, INSIDE_B1
from beatbook.open311.exceptions import Open311Error
from beatbook.open311.models import Open311Client
from beatbook.open311.services import client_key_issue
from beatbook.open311.tests import schemas

W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")
FORMAT_CHECKER = jsonschema.FormatChecker()


@pytest.fixture
def open311(live_server: Any, transactional_db: Any) -> Any:
    from beatbook.core.testing import agency_build

    agency = agency_build()
    client = Open311Client.objects.create(name="City app")
    key = client_key_issue(actor=SYSTEM, client=client)

    class Api:
        base = live_server.url + "/open311/v2"
        api_key = key
        people = agency

        def call(
            self,
            method: str,
            path: str,
            data: dict[str, Any] | list[Any] | None = None,
            headers: dict[str, str] | None = None,
        ) -> tuple[int, dict[str, str], bytes]:
            url = self.base + path
            body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
            request = urllib.request.Request(
                url,
                data=body,
                method=method,  # noqa: S310
                headers=headers or {},
            )
            if body is not None:
                request.add_header(
                    "Content-Type", "application/x-www-form-urlencoded; charset=utf-8"
                )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    return response.status, dict(response.headers), response.read()
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers), error.read()

        def json(self, method: str, path: str, data: Any = None, **kw: Any) -> tuple[int, Any]:
            status, headers, body = self.call(method, path, data, **kw)
            assert headers["Content-Type"] == "application/json; charset=utf-8"
            return status, json.loads(body)

        def xml(self, method: str, path: str, data: Any = None) -> tuple[int, ET.Element]:
            status, headers, body = self.call(method, path, data)
            assert headers["Content-Type"] == "text/xml; charset=utf-8"
            assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
            return status, ET.fromstring(body)  # noqa: S314

    return Api()


def post_body(api: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "api_key": api.api_key,
        "service_code": "PARKING",
        "lat": INSIDE_A1[0],
        "long": INSIDE_A1[1],
        "description": "Van blocking my driveway",
        "attribute[PROBLEM][]": ["driveway", "crossing"],
        "attribute[PLATE]": "XYZ987",
        "first_name": "Canary",
        "last_name": "Person",
        "email": "canary@example.org",
        "phone": "206-555-0123",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def assert_error(status: int, body: Any, expected: int) -> None:
    assert status == expected
    assert isinstance(body, list)
    assert body
    assert body[0]["code"] == expected
    assert body[0]["description"]


def test_discovery_in_both_formats(open311: Any) -> None:
    status, doc = open311.json("GET", "/discovery.json")
    assert status == 200
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(doc)
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    status, root = open311.xml("GET", "/discovery.xml")
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == [
        "text/xml",
        "application/json",
    ]


def test_service_list_and_definitions(open311: Any) -> None:
    status, services = open311.json("GET", "/services.json")
    assert status == 200
    jsonschema.validate(services, schemas.SERVICES, format_checker=FORMAT_CHECKER)
    codes = {s["service_code"] for s in services}
    assert {"VEHABND", "NOISE", "PARKING"} <= codes
    assert "DISORD" not in codes  # sworn-only, never public
    datatypes = set()
    for code in codes:
        status, definition = open311.json("GET", f"/services/{code}.json")
        assert status == 200
        jsonschema.validate(definition, schemas.SERVICE_DEFINITION, format_checker=FORMAT_CHECKER)
        datatypes |= {a["datatype"] for a in definition["attributes"]}
        orders = [a["order"] for a in definition["attributes"]]
        assert orders == sorted(set(orders))
    assert datatypes == {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }
    status, root = open311.xml("GET", "/services/VEHABND.xml")
    assert root.tag == "service_definition"
    notice = root.find("attributes/attribute")
    assert notice.find("variable").text == "false"
    values = root.findall("attributes/attribute/values/value")
    assert {v.find("key").text for v in values} >= {"lt3", "gt7"}
    status, root = open311.xml("GET", "/services.xml")
    assert root.tag == "services"
    assert root.find("service/metadata").text in ("true", "false")


def test_post_creates_a_call_and_answers_with_a_string_id(open311: Any) -> None:
    status, body = open311.json("POST", "/requests.json", post_body(open311))
    assert status == 200
    request_id = body[0]["service_request_id"]
    assert isinstance(request_id, str)
    call = Call.objects.get(number=request_id)
    assert call.source == "open311"
    assert call.answers == {"PROBLEM": ["driveway", "crossing"], "PLATE": "XYZ987"}
    status, root = open311.xml(
        "POST", "/requests.xml", post_body(open311, description="Second van")
    )
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text.startswith("CFS-")


@pytest.mark.parametrize(
    ("change", "expected", "fmt"),
    [
        ({"api_key": None}, 403, "json"),
        ({"api_key": "wrong"}, 403, "xml"),
        ({"service_code": None}, 400, "json"),
        ({"service_code": "NOPE"}, 404, "xml"),
        ({"lat": None, "long": None}, 400, "json"),
        ({"long": None}, 400, "xml"),
        ({"attribute[PROBLEM][]": None}, 400, "json"),
        ({"attribute[PROBLEM][]": "moat"}, 400, "json"),
        ({"lat": 47.7, "long": -122.1}, 400, "json"),
        ({"description": "Someone was stabbed, blood everywhere"}, 400, "xml"),
        ({"service_code": "DISORD"}, 404, "json"),
    ],
)
def test_post_errors_follow_the_spec(
    open311: Any, change: dict[str, Any], expected: int, fmt: str
) -> None:
    if fmt == "json":
        status, body = open311.json("POST", "/requests.json", post_body(open311, **change))
        assert_error(status, body, expected)
    else:
        status, root = open311.xml("POST", "/requests.xml", post_body(open311, **change))
        assert status == expected
        assert root.tag == "errors"
        assert root.find("error/code").text == str(expected)
        assert root.find("error/description").text
    assert not Call.objects.exists()


def test_idempotent_post_retries_make_one_call(open311: Any) -> None:
    headers = {"Idempotency-Key": "retry-7"}
    first = open311.json("POST", "/requests.json", post_body(open311), headers=headers)
    again = open311.json("POST", "/requests.json", post_body(open311), headers=headers)
    assert first == again
    assert Call.objects.count() == 1


def test_request_list_single_and_every_filter(open311: Any) -> None:
    people = open311.people
    noise = intake(people["dispatcher"])
    parking_id = open311.json("POST", "/requests.json", post_body(open311))[1][0][
        "service_request_id"
    ]
    from beatbook.calls import services

    services.call_cancel(actor=people["dispatcher"], call=noise, reason="Duplicate call")
    status, listing = open311.json("GET", "/requests.json")
    assert status == 200
    jsonschema.validate(listing, schemas.REQUESTS, format_checker=FORMAT_CHECKER)
    assert {r["service_request_id"] for r in listing} == {noise.number, parking_id}
    for request in listing:
        assert W3C.match(request["requested_datetime"])
        assert request["address"].endswith("block of Pine St")
    closed = open311.json("GET", "/requests.json?status=closed")[1]
    assert [r["service_request_id"] for r in closed] == [noise.number]
    assert closed[0]["status_notes"] == "Closed without action"
    opened = open311.json("GET", "/requests.json?status=open&service_code=PARKING")[1]
    assert [r["service_request_id"] for r in opened] == [parking_id]
    by_id = open311.json(
        "GET", f"/requests.json?service_request_id={noise.number},{parking_id}&status=open"
    )[1]
    assert len(by_id) == 2  # ids override the other filters
    now = timezone.now()
    window = urllib.parse.urlencode(
        {
            "start_date": (now - dt.timedelta(days=1)).isoformat(),
            "end_date": (now + dt.timedelta(hours=1)).isoformat(),
        }
    )
    assert len(open311.json("GET", f"/requests.json?{window}")[1]) == 2
    old = urllib.parse.urlencode(
        {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-02-01T00:00:00Z"}
    )
    assert open311.json("GET", f"/requests.json?{old}")[1] == []
    assert open311.json("GET", "/requests.json?service_code=")[1] != []  # empty = absent
    status, single = open311.json("GET", f"/requests/{parking_id}.json")
    assert status == 200
    assert isinstance(single, list)
    assert len(single) == 1
    jsonschema.validate(single, schemas.REQUESTS, format_checker=FORMAT_CHECKER)
    status, root = open311.xml("GET", f"/requests/{parking_id}.xml")
    assert root.tag == "service_requests"
    assert root.find("request/status").text == "open"


@override_settings(BEATBOOK_OPEN311_LIST_CACHE_SECONDS=30)
def test_answers_in_the_language_the_app_asks_for(open311: Any) -> None:
    """Accept-Language picks the language of names, questions, notices and status notes
    (Content-Language says which; Vary keeps shared caches apart); without it, English."""
    from beatbook.calls.models import CallType, CallTypeQuestion

    spanish = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
    noise = CallType.objects.get(code="NOISE")
    assert noise.name_es
    assert noise.name_es != noise.name
    status, headers, body = open311.call("GET", "/services.json", headers=spanish)
    listed = {s["service_code"]: s for s in json.loads(body)}
    assert listed["NOISE"]["service_name"] == noise.name_es
    assert listed["NOISE"]["description"] == noise.description_es
    assert headers["Content-Language"] == "es"
    assert "Accept-Language" in headers["Vary"]
    status, headers, body = open311.call("GET", "/services.json")
    assert {s["service_code"]: s for s in json.loads(body)}["NOISE"]["service_name"] == noise.name
    assert headers["Content-Language"] == "en"

    question = CallTypeQuestion.objects.filter(call_type=noise).exclude(description_es="").first()
    assert question is not None
    status, _, body = open311.call("GET", "/services/NOISE.json", headers=spanish)
    attribute = next(a for a in json.loads(body)["attributes"] if a["code"] == question.code)
    assert attribute["description"] == question.description_es

    status, _, body = open311.call("POST", "/requests.json", post_body(open311), headers=spanish)
    created = json.loads(body)[0]
    assert created["service_notice"].startswith("Un agente de servicio comunitario")
    call = Call.objects.get(number=created["service_request_id"])
    assert call.contact_language == "es"  # its status e-mails go out in Spanish
    # The cached list is kept per language: English right after Spanish stays English.
    spanish_list = json.loads(open311.call("GET", "/requests.json", headers=spanish)[2])
    english_list = json.loads(open311.call("GET", "/requests.json")[2])
    parking = CallType.objects.get(code="PARKING")
    assert [r["service_name"] for r in spanish_list] == [parking.name_es]
    assert [r["service_name"] for r in english_list] == [parking.name]


def test_request_list_in_a_bounding_box_of_the_places_shown(open311: Any) -> None:
    """bbox=min_long,min_lat,max_long,max_lat selects by the block-level place a request
    shows, not by where its reporter stood."""
    north = open311.json("POST", "/requests.json", post_body(open311))[1][0]
    south = open311.json(
        "POST", "/requests.json", post_body(open311, lat=INSIDE_B1[0], long=INSIDE_B1[1])
    )[1][0]
    shown = {
        r["service_request_id"]: (r["lat"], r["long"])
        for r in open311.json("GET", "/requests.json")[1]
    }
    lat, lon = shown[north["service_request_id"]]

    def boxed(west: float, south_: float, east: float, north_: float) -> list[str]:
        query = urllib.parse.urlencode({"bbox": f"{west},{south_},{east},{north_}"})
        status, listing = open311.json("GET", f"/requests.json?{query}")
        assert status == 200
        return [r["service_request_id"] for r in listing]

    around_north = (lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
    assert boxed(*around_north) == [north["service_request_id"]]
    assert boxed(-122.4, 47.5, -122.2, 47.7) == [
        south["service_request_id"],
        north["service_request_id"],
    ]  # newest first, as every list
    assert boxed(-122.1, 47.0, -122.0, 47.1) == []
    # The reporter's own point inside the box, the block shown outside it: not listed.
    Call.objects.filter(number=north["service_request_id"]).update(
        lat=lat, lon=lon, block_lat=lat + 0.01
    )
    assert boxed(*around_north) == []


def test_request_list_in_pages_newest_first(open311: Any) -> None:
    """The paging extension (Chicago, Boston, Toronto): page_size and page walk the list
    newest first, each request once, even those received in the same instant."""
    numbers = [
        open311.json("POST", "/requests.json", post_body(open311))[1][0]["service_request_id"]
        for _ in range(5)
    ]
    same_instant = timezone.now() - dt.timedelta(minutes=5)
    Call.objects.filter(number__in=numbers[1:4]).update(received_at=same_instant)
    everything = [r["service_request_id"] for r in open311.json("GET", "/requests.json")[1]]
    assert sorted(everything) == sorted(numbers)
    pages = [
        [
            r["service_request_id"]
            for r in open311.json("GET", f"/requests.json?page_size=2&page={page}")[1]
        ]
        for page in (1, 2, 3, 4)
    ]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [n for p in pages for n in p] == everything
    assert everything[0] == numbers[4]  # the newest


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=two",
        "page_size=1001",
        "page_size=0",
        "page=%C2%B2",
        "page=" + "9" * 5000,
    ],
)
def test_a_bad_page_is_a_400_naming_the_parameter(open311: Any, query: str) -> None:
    status, body = open311.json("GET", f"/requests.json?{query}")
    assert_error(status, body, 400)
    assert query.split("=")[0] + " must be a whole number" in body[0]["description"]


@pytest.mark.parametrize(
    "bbox",
    [
        "-122.4,47.5,-122.2",
        "west,47.5,-122.2,47.7",
        "-122.2,47.5,-122.4,47.7",
        "0,95,1,96",
        "nan,0,1,1",
    ],
)
def test_a_malformed_bounding_box_is_a_400_naming_the_order(open311: Any, bbox: str) -> None:
    status, body = open311.json("GET", f"/requests.json?bbox={bbox}")
    assert_error(status, body, 400)
    assert "min_long,min_lat,max_long,max_lat" in body[0]["description"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=pending", 400),
        ("start_date=yesterday", 400),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),
        ("start_date=2026-03-01T00:00:00Z&end_date=2026-02-01T00:00:00Z", 400),
    ],
)
def test_request_list_errors(open311: Any, query: str, expected: int) -> None:
    status, body = open311.json("GET", f"/requests.json?{query}")
    assert_error(status, body, expected)


def test_lookups_of_unknown_things_answer_404(open311: Any) -> None:
    for path in ("/requests/CFS-1999-000001.json", "/services/NOPE.json", "/tokens/nope.json"):
        status, body = open311.json("GET", path)
        assert_error(status, body, 404)
    status, _, body = open311.call("GET", "/services.yaml")
    assert status == 400
    assert b"<errors>" in body


def test_token_lookup_maps_a_tracking_token_to_its_request(open311: Any) -> None:
    call = intake(open311.people["dispatcher"])
    status, body = open311.json("GET", f"/tokens/{call.public_token}.json")
    assert status == 200
    assert body == [{"service_request_id": call.number, "token": call.public_token}]


def test_a_wrong_jurisdiction_is_404(open311: Any) -> None:
    with override_settings(BEATBOOK_OPEN311_JURISDICTION="beatbook.example.org"):
        status, body = open311.json("GET", "/services.json?jurisdiction_id=other.gov")
        assert_error(status, body, 404)
        assert open311.json("GET", "/services.json?jurisdiction_id=beatbook.example.org")[0] == 200


def test_the_request_list_costs_the_same_queries_for_many_requests(agency: dict[str, Any]) -> None:
    """Only the fields a document reads are loaded: one more field read would cost a query
    a row, and this count would grow."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from beatbook.calls import services
    from beatbook.open311.selectors import requests_search

    first = intake(agency["dispatcher"], description="Loud party")
    services.call_cancel(actor=agency["dispatcher"], call=first, reason="Gone")
    with CaptureQueriesContext(connection) as one:
        assert len(requests_search({})) == 1
    for i in range(8):
        intake(agency["dispatcher"], description=f"Music {i}", lat=47.601 + i * 0.002)
    with CaptureQueriesContext(connection) as many:
        documents = requests_search({})
    assert len(documents) == 9
    assert len(one) == len(many) == 1
    assert documents[-1]["status_notes"] == "Closed without action"


def test_listed_documents_equal_the_documents_read_from_the_model(
    agency: dict[str, Any],
) -> None:
    """Lists read plain values (calls.public.ListedCall), single requests read the model:
    both must say the same, in either language, for open, closed and resident-written calls."""
    from django.utils import translation

    from beatbook.calls import services
    from beatbook.calls.models import CallType
    from beatbook.open311.selectors import request_get, requests_search

    CallType.objects.filter(code="NOISE").update(name_es="Ruido")
    dispatcher = agency["dispatcher"]
    resident = intake(
        dispatcher,
        source="open311",
        description="Party again, call me at 206-555-0199",
        caller_name="Pat Doe",
        answers={"SOURCE": "music"},
    )
    cleared = intake(dispatcher, code="PARKING", description="Blocked driveway")
    services.call_cancel(actor=dispatcher, call=cleared, reason="Moved")
    for language in ("en", "es"):
        with translation.override(language):
            listed = {d["service_request_id"]: d for d in requests_search({})}
            assert set(listed) == {resident.number, cleared.number}
            for number, document in listed.items():
                assert document == request_get(number)
    with translation.override("es"):
        spanish = requests_search({"status": "closed"})[0]
    assert spanish["status_notes"] != "Closed without action"  # the language reached the notes
    assert spanish["address"].endswith("Pine St")
    assert not spanish["address"].startswith(request_get(cleared.number)["address"][:4])
    document = request_get(resident.number)
    assert "206-555-0199" not in document["description"]
    assert document["status"] == "open"
    assert request_get(cleared.number)["status_notes"] == "Closed without action"


def test_a_merged_call_is_never_listed_and_lists_refuse_one(agency: dict[str, Any]) -> None:
    """Lists do not read the call a merged call joined (its status names it): they never
    hold one, and a list built from calls that were not filtered by public_calls() fails
    rather than tell the public "Joined to report ," with the reference missing."""
    from beatbook.calls import services
    from beatbook.calls.public import listed_calls
    from beatbook.open311.selectors import request_get, requests_search

    dispatcher = agency["dispatcher"]
    kept = intake(dispatcher, description="Loud party")
    repeat = intake(dispatcher, description="Loud party, again")
    services.call_merge(actor=dispatcher, call=repeat, into=kept)
    listed = [d["service_request_id"] for d in requests_search({})]
    assert listed == [kept.number]
    assert [
        d["service_request_id"] for d in requests_search({"service_request_id": repeat.number})
    ] == []
    with pytest.raises(Open311Error):
        request_get(repeat.number)
    with pytest.raises(ValueError, match=f"Call {repeat.number} is merged"):
        listed_calls(Call.objects.filter(pk=repeat.pk))


def test_the_public_list_is_served_from_the_cache_for_a_few_seconds(
    agency: dict[str, Any], client: Any, settings: Any
) -> None:
    """Residents' apps poll the list; under load each list cost 40–100 ms (B8). It is the
    same for every client, so it is kept BEATBOOK_OPEN311_LIST_CACHE_SECONDS per format,
    language and query, and a change shows once that has passed."""
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.BEATBOOK_OPEN311_LIST_CACHE_SECONDS = 2
    first = intake(agency["dispatcher"], description="Loud party")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        listed = client.get("/open311/v2/requests.json").json()
        assert [r["service_request_id"] for r in listed] == [first.number]
        second = intake(agency["dispatcher"], code="ANIMAL", description="Dog loose")
        with CaptureQueriesContext(connection) as queries:
            again = client.get("/open311/v2/requests.json").json()
        assert again == listed  # from the cache: no query at all
        assert len(queries) == 0
        # another query or format is its own entry
        only_dogs = client.get("/open311/v2/requests.json?service_code=ANIMAL").json()
        assert [r["service_request_id"] for r in only_dogs] == [second.number]
        xml = client.get("/open311/v2/requests.xml").content.decode()
        assert second.number in xml
        assert client.get("/open311/v2/requests.json?status=bogus").status_code == 400
        clock.shift(dt.timedelta(seconds=3))
        fresh = client.get("/open311/v2/requests.json").json()
        assert {r["service_request_id"] for r in fresh} == {first.number, second.number}


def test_with_the_list_cache_off_every_list_is_read_afresh(
    agency: dict[str, Any], client: Any, settings: Any
) -> None:
    settings.BEATBOOK_OPEN311_LIST_CACHE_SECONDS = 0
    first = intake(agency["dispatcher"], description="Loud party")
    assert len(client.get("/open311/v2/requests.json").json()) == 1
    intake(agency["dispatcher"], code="ANIMAL", description="Dog loose")
    numbers = {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}
    assert first.number in numbers
    assert len(numbers) == 2


def test_json_bodies_are_utf8_with_the_characters_themselves() -> None:
    """Spanish names travel as UTF-8, not as \\u escapes, and numbers and nulls as JSON's."""
    from beatbook.open311.renderers import respond

    body = [{"service_name": "Basura en la vía pública", "lat": 47.6109, "zipcode": None}]
    response = respond("json", body, root="services", item="service")
    assert response["Content-Type"].startswith("application/json")
    assert "vía pública".encode() in response.content
    assert json.loads(response.content) == body
