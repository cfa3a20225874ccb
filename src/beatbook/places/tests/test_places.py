from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st
from pyproj import Transformer

from beatbook.core.actors import SYSTEM
from beatbook.core.testing import BEAT_A1, INSIDE_A1, INSIDE_B1, OUTSIDE, beat_collection, square
from beatbook.places.addresses import address_parse, block_text, street_canonical, street_display
from beatbook.places.exceptions import BeatFileInvalid, OutsideAgencyArea
from beatbook.places.models import AddressPoint, Beat
from beatbook.places.selectors import (
    beat_for_point,
    beat_for_point_or_refuse,
    geocode,
    location_resolve,
    nearest_address,
)
from beatbook.places.services import beats_import

DEMO_BEATS = Path(__file__).resolve().parents[2] / "demo" / "data" / "seattle_beats.geojson"


class TestAddressText:
    @pytest.mark.parametrize(
        ("typed", "canonical"),
        [
            ("4th Avenue South", "4 AV S"),
            ("NE 45th Street", "NE 45 ST"),
            ("Pine st.", "PINE ST"),
            ("Martin Luther King Jr Way South", "MARTIN LUTHER KING JR WY S"),
        ],
    )
    def test_canonical_street_forms(self, typed: str, canonical: str) -> None:
        assert street_canonical(typed) == canonical

    def test_display_and_block_text(self) -> None:
        assert street_display("NE 45 ST") == "NE 45th St"
        assert block_text(1234, "OAK ST") == "1200 block of Oak St"
        assert address_parse("1512 Pine St").number == 1512

    @given(st.integers(min_value=0, max_value=99999))
    def test_block_text_never_reveals_the_house_number(self, number: int) -> None:
        text = block_text(number, "PINE ST")
        assert text.startswith(f"{number // 100 * 100} block of")
        if number % 100:
            assert str(number) not in text


@pytest.mark.django_db
class TestBeatImport:
    def test_imports_polygons_and_multipolygons_by_any_property(self) -> None:
        collection = beat_collection(A1=BEAT_A1)
        multi = {
            "type": "MultiPolygon",
            "coordinates": [
                square(47.56, -122.34, 47.57, -122.33)["coordinates"],
                square(47.57, -122.31, 47.575, -122.30)["coordinates"],
            ],
        }
        collection["features"].append(
            {"type": "Feature", "properties": {"beat": "Z9"}, "geometry": multi}
        )
        for f in collection["features"]:
            f["properties"]["patrol_area"] = "PA-" + f["properties"]["beat"]
        result = beats_import(actor=SYSTEM, collection=collection, name_property="patrol_area")
        assert result.created == 2
        assert beat_for_point(lat=47.572, lon=-122.305).name == "PA-Z9"
        assert beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1]).name == "PA-A1"
        again = beats_import(actor=SYSTEM, collection=collection, name_property="patrol_area")
        assert (again.created, again.updated, Beat.objects.count()) == (0, 2, 2)

    def test_reprojects_when_the_file_names_its_crs(self) -> None:
        to_state_plane = Transformer.from_crs(4326, 2926, always_xy=True)
        ring = [
            list(to_state_plane.transform(lon, lat))
            for lon, lat in square(*BEAT_A1)["coordinates"][0]
        ]
        collection = {
            "type": "FeatureCollection",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2926"}},
            "features": [
                {
                    "type": "Feature",
                    "properties": {"beat": "SP"},
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            ],
        }
        beats_import(actor=SYSTEM, collection=collection, name_property="beat")
        beat = Beat.objects.get(name="SP")
        assert beat.min_lat == pytest.approx(BEAT_A1[0], abs=1e-5)
        assert beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1]) == beat

    @pytest.mark.parametrize(
        ("mutate", "message"),
        [
            (lambda c: c["features"][0]["properties"].pop("beat"), "Feature 1 has no value for"),
            (
                lambda c: c["features"][0].update(
                    geometry={"type": "Point", "coordinates": [0, 0]}
                ),
                "is a Point, not a Polygon",
            ),
            (lambda c: c.update(type="Feature"), "not a GeoJSON FeatureCollection"),
            (
                lambda c: c["features"][0]["geometry"].update(
                    coordinates=[[[1e6, 5e6], [1e6 + 10, 5e6], [1e6, 5e6 + 10], [1e6, 5e6]]]
                ),
                "not in longitude/latitude",
            ),
        ],
    )
    def test_bad_files_are_refused_whole_with_a_clear_message(
        self, mutate: Any, message: str
    ) -> None:
        collection = beat_collection(A1=BEAT_A1, B1=(47.5, -122.4, 47.55, -122.35))
        collection["features"].reverse()
        collection["features"].reverse()
        mutate(collection)
        with pytest.raises(BeatFileInvalid, match=message):
            beats_import(actor=SYSTEM, collection=collection, name_property="beat")
        assert Beat.objects.count() == 0

    def test_command_imports_the_real_seattle_beats(self, capsys: Any) -> None:
        call_command(
            "import_beats",
            str(DEMO_BEATS),
            "--name-property",
            "beat",
            "--sector-property",
            "sector",
        )
        assert Beat.objects.count() == 51
        for beat in Beat.objects.all():
            # The stored inside point of every beat falls in that beat and no other.
            assert beat_for_point(lat=beat.centroid_lat, lon=beat.centroid_lon) == beat
        assert Beat.objects.get(name="K3").sector == "K"
        assert "51 beats created" in capsys.readouterr().out

    def test_command_names_the_line_of_broken_json(self, tmp_path: Path) -> None:
        path = tmp_path / "beats.geojson"
        path.write_text('{"type": "FeatureCollection",\n "features": [}')
        with pytest.raises(CommandError, match="line 2"):
            call_command("import_beats", str(path))


@pytest.mark.django_db
class TestAddressImport:
    def test_reports_bad_rows_by_line_keeps_good_ones_and_reruns_add_nothing(
        self, agency: dict[str, Any], tmp_path: Path, capsys: Any
    ) -> None:
        before = AddressPoint.objects.count()
        path = tmp_path / "addresses.csv"
        path.write_text(
            "number,street,city,lat,lon\n"
            "1700,Pine St,Seattle,47.611,-122.333\n"
            "abc,Pine St,Seattle,47.611,-122.333\n"
            "1710,Pine St,Seattle,north,-122.333\n"
            "1720,Pine St,Seattle,47.612,-122.332\n"
        )
        rejects = tmp_path / "rejects.csv"
        call_command("import_addresses", str(path), "--rejects", str(rejects))
        err = capsys.readouterr().err
        assert "addresses.csv:3: house number 'abc' is not a whole number" in err
        assert "addresses.csv:4: lat/lon" in err
        assert AddressPoint.objects.count() == before + 2
        assert rejects.read_text().count("\n") == 3
        call_command("import_addresses", str(path))
        assert AddressPoint.objects.count() == before + 2
        point = AddressPoint.objects.get(number=1700)
        assert point.beat.name == "A1"
        assert point.h3_cell

    def test_missing_columns_are_named(self, db: Any, tmp_path: Path) -> None:
        path = tmp_path / "a.csv"
        path.write_text("num,street\n1,Oak\n")
        with pytest.raises(CommandError, match="lacks the column"):
            call_command("import_addresses", str(path))


@pytest.mark.django_db
class TestGeocoding:
    @pytest.mark.parametrize(
        "typed", ["1534 Pine St", "1534 pine street", "1534 Pnie St", "1534 PINE"]
    )
    def test_tolerates_case_suffix_and_typos(self, agency: dict[str, Any], typed: str) -> None:
        match = geocode(text=typed)
        assert match.address_text == "1534 Pine St"
        assert match.block_text == "1500 block of Pine St"
        assert beat_for_point(lat=match.lat, lon=match.lon).name == "A1"

    def test_reverse_geocodes_a_pin_to_the_block_only(self, agency: dict[str, Any]) -> None:
        location = location_resolve(lat=47.5898, lon=-122.3346)
        assert location.block_text == "1500 block of Oak St"
        assert (location.block_lat, location.block_lon) != (47.5898, -122.3346)

    def test_a_pin_takes_the_nearest_of_a_crowded_window(self, agency: dict[str, Any]) -> None:
        lat, lon = INSIDE_A1
        # A dense block first (more points than the shortlist), a little farther off.
        AddressPoint.objects.bulk_create(
            AddressPoint(number=1900 + i, street="ELM ST", lat=lat + 0.0008, lon=lon + i * 1e-5)
            for i in range(12)
        )
        AddressPoint.objects.create(number=1210, street="ASH ST", lat=lat + 0.0001, lon=lon)
        assert nearest_address(lat=lat, lon=lon).number == 1210
        assert nearest_address(lat=lat + 0.0008, lon=lon + 0.000071).number == 1907
        assert nearest_address(lat=OUTSIDE[0], lon=OUTSIDE[1]) is None

    def test_outside_the_area_is_refused(self, agency: dict[str, Any]) -> None:
        with pytest.raises(OutsideAgencyArea, match="outside the agency's area"):
            beat_for_point_or_refuse(lat=OUTSIDE[0], lon=OUTSIDE[1])

    def test_location_from_a_pin_gets_beat_cell_and_block(self, agency: dict[str, Any]) -> None:
        location = location_resolve(lat=INSIDE_B1[0], lon=INSIDE_B1[1])
        assert location.beat.name == "B1"
        assert location.block_text.endswith("block of Oak St")
        assert location.address_text.startswith("near ")


@pytest.mark.django_db
def test_beat_map_and_geojson_are_staff_only(client_for: Any, client: Any) -> None:
    response = client_for("analyst").get("/places/beats.geojson")
    assert response.status_code == 200
    assert {f["properties"]["name"] for f in json.loads(response.content)["features"]} == {
        "A1",
        "B1",
    }
    assert client.get("/places/beats.geojson").status_code == 302
    assert client_for("cso").get("/places/beats/").status_code == 200


@pytest.mark.django_db
def test_streets_are_drawn_through_known_addresses_and_split_at_gaps(agency: Any) -> None:
    from beatbook.places.selectors import streets_geojson

    AddressPoint.objects.create(number=9900, street="PINE ST", lat=47.70, lon=-122.20)
    AddressPoint.objects.create(number=9910, street="PINE ST", lat=47.7005, lon=-122.2005)
    features = {f["properties"]["name"]: f for f in streets_geojson()["features"]}
    assert set(features) == {"Pine St", "Oak St"}
    pine = features["Pine St"]["geometry"]["coordinates"]
    assert len(pine) == 2  # the far pair is its own line
    assert len(pine[0]) == 10
    assert pine[0][0] == [-122.335, 47.61]


@pytest.mark.django_db
def test_streets_geojson_is_staff_only(client_for: Any, client: Any) -> None:
    assert client_for("cso").get("/places/streets.geojson").status_code == 200
    assert client.get("/places/streets.geojson").status_code == 302


def test_a_beats_polygon_is_read_from_the_database_once_per_version(
    agency: dict[str, Any],
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from beatbook.core.testing import BEAT_A1, beat_collection
    from beatbook.places.services import beats_import

    beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1])
    with CaptureQueriesContext(connection) as warm:
        assert beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1]) == agency["a1"]
    assert len(warm) == 0  # the beats' boxes are kept too (core/reference.py)
    # A new version of the polygon (a re-import) is read again, once, with the beats' list.
    beats_import(actor=SYSTEM, collection=beat_collection(A1=BEAT_A1), name_property="beat")
    with CaptureQueriesContext(connection) as changed:
        assert beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1]) == agency["a1"]
    assert len(changed) == 2
    assert '"geometry"' not in changed[0]["sql"]
    with CaptureQueriesContext(connection) as again:
        beat_for_point(lat=INSIDE_A1[0], lon=INSIDE_A1[1])
    assert len(again) == 0


@pytest.mark.django_db
def test_a_pin_comes_with_its_block_centroid_in_one_query(agency: dict[str, Any]) -> None:
    """The nearest address and the centroid of its hundred block are read together; the
    centroid is the same one `block_centroid` computes (the mean of the block's points)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from beatbook.places.selectors import block_centroid, nearest_address_with_block

    lat, lon = INSIDE_A1
    AddressPoint.objects.bulk_create(
        [
            AddressPoint(number=2210, street="ASH ST", lat=lat + 0.0001, lon=lon),
            AddressPoint(number=2250, street="ASH ST", lat=lat + 0.0003, lon=lon + 0.0004),
            AddressPoint(number=2298, street="ASH ST", lat=lat + 0.0005, lon=lon + 0.0008),
            AddressPoint(number=2302, street="ASH ST", lat=lat + 0.0030, lon=lon + 0.0030),
        ]
    )
    with CaptureQueriesContext(connection) as queries:
        nearest = nearest_address_with_block(lat=lat, lon=lon)
    assert len(queries) == 1
    assert nearest is not None
    assert nearest.point.number == 2210
    # by hand: the 2200 block's three points, not 2302 on the next block
    expected = (round(lat + 0.0003, 6), round(lon + 0.0004, 6))
    assert (nearest.block_lat, nearest.block_lon) == pytest.approx(expected, abs=1e-6)
    assert (nearest.block_lat, nearest.block_lon) == block_centroid(street="ASH ST", number=2210)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan guard reads EXPLAIN")
@pytest.mark.django_db
def test_the_nearest_address_reads_the_position_index_with_a_generic_plan() -> None:
    """Plan guard (B2): the statement is prepared with a kept plan (core.sql.plan_cached), so
    that plan must still narrow the city's address table by the position index."""
    from beatbook.core.geo import flat_distance_params
    from beatbook.places.selectors import NEAREST_ADDRESS_WINDOW_DEG, _nearest_address_sql

    lat, lon, window = 47.6112, -122.3312, NEAREST_ADDRESS_WINDOW_DEG
    params = [lat - window, lat + window, lon - window * 1.5, lon + window * 1.5]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(
            "EXPLAIN " + _nearest_address_sql(), [*params, *flat_distance_params(lat, lon)]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "places_address_latlon" in plan, plan
    assert "places_address_street_no" in plan, plan  # the block's centroid
