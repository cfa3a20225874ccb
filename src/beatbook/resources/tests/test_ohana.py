"""Import of the San Mateo County directory as Ohana published it (real files, 2015)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from beatbook.core.actors import SYSTEM
from beatbook.resources.models import (
    Address,
    Attribute,
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    TaxonomyTerm,
)
from beatbook.resources.services.ohana import ohana_import, ohana_rows, parse_clock

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def counts() -> dict[str, int]:
    models = (
        Organization,
        Location,
        Address,
        Service,
        Phone,
        Schedule,
        Language,
        Attribute,
        TaxonomyTerm,
    )
    return {model.__name__: model.objects.count() for model in models}


def test_the_san_mateo_files_import_with_each_bad_row_named() -> None:
    result = ohana_import(actor=SYSTEM, folder=DATA)
    found = counts()
    assert found.pop("Attribute") >= 6 + 19  # service 22's six ids, and a need for the others
    assert found == {
        "Organization": 8,
        "Location": 22,
        "Address": 42,  # 21 physical + 21 postal
        "Service": 23,
        "Phone": 48,  # 54 less the 6 that belong only to a named contact
        "Schedule": 11,  # 11 weekly less 1 bad, and 1 of 4 holidays (3 are “every year”)
        "Language": 32,
        "TaxonomyTerm": 290,
    }
    assert Location.objects.get(name="Location with no phone").location_type == "virtual"
    rejects = "\n".join(result.rejects)
    # “9am” to “03:00” on a Monday: the close is before the open.
    assert "regular_schedules.csv line 12: closes (03:00) before it opens (9am)" in rejects
    assert "holiday_schedules.csv line 2: a closure repeated every year" in rejects
    assert "phones.csv line 41: a named contact's own phone is not kept" in rejects
    # Real values came through: Peninsula Family Service's centre, its hours, Spanish speakers.
    centre = Service.objects.get(name="Fair Oaks Adult Activity Center")
    assert centre.organization.name == "Peninsula Family Service"
    assert (
        centre.at_locations.get().location.addresses.get(address_type="physical").address_1
        == "2600 Middlefield Road"
    )
    passport = Service.objects.get(name="Passport Photos")
    hours = {(s.byday, s.opens_at, s.closes_at) for s in passport.schedules.filter(freq="WEEKLY")}
    assert ("MO", dt.time(14), dt.time(16)) in hours  # “14:00” to “4:00 PM”
    assert ("WE", dt.time(10), dt.time(15)) in hours  # “10:00” to “3pm”
    assert {t.code for t in passport.terms.all()} >= {"105", "108-05-01", "111-05"}
    # Keywords place services under a need: meals are food, clinics are health.
    meals = Service.objects.get(name="Meals on Wheels - South County")
    assert meals.terms.filter(code="102").exists()
    assert (
        Service.objects.get(name="San Mateo Free Medical Clinic").terms.filter(code="106").exists()
    )
    assert TaxonomyTerm.objects.get(code="102").name_es == "Comida"


def test_importing_the_same_files_again_changes_nothing() -> None:
    ohana_import(actor=SYSTEM, folder=DATA)
    first = counts()
    ids = set(Service.objects.values_list("id", flat=True))
    ohana_import(actor=SYSTEM, folder=DATA)
    assert counts() == first
    assert set(Service.objects.values_list("id", flat=True)) == ids


def test_a_service_pointing_at_a_missing_location_is_rejected_and_the_rest_kept(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "ohana"
    shutil.copytree(DATA, folder)
    with (folder / "services.csv").open("a", encoding="utf-8") as handle:
        handle.write("99,404,,,,,,,,,,,,,,Ghost Service,,,active,,,\n")
    result = ohana_rows(folder)
    assert any(
        r.startswith("services.csv line 25: location 404 is not in locations.csv")
        for r in result.rejects
    )
    assert len(result.rows["service"]) == 23


def test_the_command_reports_rejects_and_refuses_a_missing_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    call_command("resources", "import-ohana", str(DATA))
    out = capsys.readouterr()
    assert "Imported 8 organization" in out.out
    assert "rejected: regular_schedules.csv line 12" in out.err
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("resources", "import-ohana", str(tmp_path / "nope"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("08:00", dt.time(8)),
        ("4:00 PM", dt.time(16)),
        ("3pm", dt.time(15)),
        ("9am", dt.time(9)),
        ("12am", dt.time(0)),
        ("12:30 pm", dt.time(12, 30)),
    ],
)
def test_opening_times_in_the_forms_ohana_files_use(text: str, expected: dt.time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize("text", ["noon", "25:00", "9", ""])
def test_a_time_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        parse_clock(text)
