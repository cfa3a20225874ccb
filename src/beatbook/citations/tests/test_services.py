from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from beatbook.citations import services
from beatbook.citations.choices import CitationStatus
from beatbook.citations.exceptions import CitationTransitionRefused
from beatbook.citations.models import Ordinance
from beatbook.citations.selectors import citation_list, offender_history
from beatbook.citations.tests.factories import ordinance
from beatbook.core.exceptions import PermissionDenied, ValidationFailed
from beatbook.core.history import history_for
from beatbook.places.exceptions import OutsideAgencyArea

pytestmark = pytest.mark.django_db


def issue(agency: dict[str, Any], **kwargs: Any) -> Any:
    kwargs.setdefault("ordinance", ordinance())
    kwargs.setdefault("plate", "abc-123")
    kwargs.setdefault("address", "1512 Pine St")
    return services.citation_issue(actor=kwargs.pop("actor", agency["cso"]), **kwargs)


class TestIssue:
    def test_numbers_fine_due_date_and_place(self, agency: Any) -> None:
        citation = issue(agency, plate_state="wa", vehicle_make="Honda", vehicle_colour="Blue")
        year = timezone.localtime().year
        assert citation.number == f"CIT-{year}-000001"
        assert citation.plate == "ABC123"
        assert citation.fine_amount == Decimal("47.00")
        assert citation.due_on == timezone.localdate() + dt.timedelta(days=21)
        assert citation.block_text == "1500 block of Pine St"
        assert citation.beat.name == "A1"
        assert history_for(citation).get().verb == "citation issued"

    def test_repeat_offences_within_the_window_escalate_the_fine(self, agency: Any) -> None:
        fines = [issue(agency).fine_amount for _ in range(4)]
        assert fines == [Decimal("47.00"), Decimal("75.00"), Decimal("120.00"), Decimal("120.00")]
        assert issue(agency, plate="OTHER1").fine_amount == Decimal("47.00")

    def test_offences_outside_the_window_do_not_count(self, agency: Any) -> None:
        short = ordinance("SMC 1", window=30)
        with time_machine.travel(timezone.now() - dt.timedelta(days=40)):
            issue(agency, ordinance=short)
        assert issue(agency, ordinance=short).fine_amount == Decimal("47.00")

    def test_warnings_cost_nothing_and_do_not_count(self, agency: Any) -> None:
        warning = issue(agency, is_warning=True)
        assert warning.fine_amount == Decimal("0.00")
        assert warning.due_on is None
        assert issue(agency).offence_number == 1

    def test_voided_and_dismissed_citations_do_not_count(self, agency: Any) -> None:
        first = issue(agency)
        services.citation_void(actor=agency["supervisor"], citation=first, reason="Wrong plate")
        assert issue(agency).offence_number == 1

    def test_cso_may_not_cite_a_sworn_only_ordinance(self, agency: Any) -> None:
        sworn = ordinance("RCW 46.61.500", kind="traffic", cso=False)
        with pytest.raises(PermissionDenied, match="sworn officers"):
            issue(agency, ordinance=sworn)
        assert issue(agency, ordinance=sworn, actor=agency["supervisor"]).kind == "traffic"

    def test_needs_a_vehicle_or_a_person_and_a_place_in_the_agency(self, agency: Any) -> None:
        with pytest.raises(ValidationFailed, match="plate"):
            issue(agency, plate="")
        with pytest.raises(OutsideAgencyArea):
            issue(agency, address="", lat=47.7, lon=-122.1)
        person = issue(
            agency,
            plate="",
            person_name="Sam Litter",
            ordinance=ordinance("SMC 2", kind="ordinance"),
        )
        assert person.person_name == "Sam Litter"

    def test_dispatchers_do_not_issue(self, agency: Any) -> None:
        with pytest.raises(PermissionDenied):
            issue(agency, actor=agency["dispatcher"])


class TestLifeCycle:
    def test_pay(self, agency: Any) -> None:
        citation = issue(agency)
        with pytest.raises(PermissionDenied):
            services.citation_pay(actor=agency["cso"], citation=citation)
        paid = services.citation_pay(actor=agency["dispatcher"], citation=citation)
        assert paid.status == CitationStatus.PAID
        with pytest.raises(CitationTransitionRefused, match="is paid"):
            services.citation_pay(actor=agency["dispatcher"], citation=paid)

    def test_contest_then_uphold_or_dismiss(self, agency: Any) -> None:
        upheld = services.citation_contest(
            actor=agency["dispatcher"], citation=issue(agency), reason="Was loading"
        )
        with pytest.raises(PermissionDenied):
            services.citation_decide(actor=agency["dispatcher"], citation=upheld, upheld=True)
        upheld = services.citation_decide(actor=agency["supervisor"], citation=upheld, upheld=True)
        assert upheld.status == CitationStatus.UPHELD
        assert (
            services.citation_pay(actor=agency["dispatcher"], citation=upheld).status
            == CitationStatus.PAID
        )
        dismissed = services.citation_contest(
            actor=agency["dispatcher"], citation=issue(agency, plate="ZZZ1"), reason="Sign missing"
        )
        dismissed = services.citation_decide(
            actor=agency["supervisor"], citation=dismissed, upheld=False
        )
        assert dismissed.status == CitationStatus.DISMISSED
        with pytest.raises(ValidationFailed):
            services.citation_contest(
                actor=agency["dispatcher"], citation=issue(agency, plate="ZZZ2"), reason=""
            )

    def test_void_needs_a_reason_and_a_supervisor_other_than_the_issuer(self, agency: Any) -> None:
        citation = issue(agency)
        with pytest.raises(PermissionDenied):
            services.citation_void(actor=agency["cso"], citation=citation, reason="oops")
        with pytest.raises(ValidationFailed, match="reason"):
            services.citation_void(actor=agency["supervisor"], citation=citation, reason=" ")
        own = issue(agency, actor=agency["supervisor"], plate="SUP1")
        with pytest.raises(PermissionDenied, match="issued it"):
            services.citation_void(actor=agency["supervisor"], citation=own, reason="mine")
        voided = services.citation_void(
            actor=agency["supervisor"], citation=citation, reason="Plate misread"
        )
        assert (voided.status, voided.voided_by) == (CitationStatus.VOID, agency["supervisor"])
        with pytest.raises(CitationTransitionRefused):
            services.citation_pay(actor=agency["dispatcher"], citation=voided)


class TestHistoryAndScope:
    def test_repeat_offender_history_by_plate_or_person(self, agency: Any) -> None:
        issue(agency)
        issue(agency, is_warning=True)
        issue(
            agency,
            plate="",
            person_name="Sam Litter",
            ordinance=ordinance("SMC 2", kind="ordinance"),
        )
        assert offender_history(plate="abc 123").count() == 2
        assert offender_history(person_name="sam litter").count() == 1
        assert offender_history().count() == 0

    def test_csos_see_their_team_supervisors_and_desk_see_all(self, agency: Any) -> None:
        north = issue(agency)
        south = issue(agency, actor=agency["cso_other_team"], plate="SOUTH1", address="1551 Oak St")
        assert set(citation_list(viewer=agency["cso_north_2"])) == {north}
        assert set(citation_list(viewer=agency["dispatcher"])) == {north, south}


class TestOrdinanceImport:
    def test_rows_with_errors_are_named_by_line_and_good_rows_kept(
        self, agency: Any, tmp_path: Path, capsys: Any
    ) -> None:
        path = tmp_path / "ordinances.csv"
        path.write_text(
            "code,title,kind,fine_first,fine_second,fine_third,repeat_window_days,cso_may_issue\n"
            "SMC 11.72.070,Parking in a driveway,parking,47,75,120,365,yes\n"
            "SMC 9.25.080,Dog at large,ordinance,$50.00,100,150,,yes\n"
            "SMC X,Bad,parking,free,1,2,,yes\n"
            "RCW 46.61,Speeding,traffic,150,250,350,365,no\n"
            ",Nameless,parking,1,2,3,,yes\n"
        )
        call_command("import_ordinances", str(path))
        err = capsys.readouterr().err
        assert "ordinances.csv:4: fine_first 'free' is not an amount" in err
        assert "ordinances.csv:6: code is empty" in err
        assert Ordinance.objects.count() == 3
        dog = Ordinance.objects.get(code="SMC 9.25.080")
        assert (dog.fine_first, dog.repeat_window_days) == (Decimal("50.00"), 365)
        assert not Ordinance.objects.get(code="RCW 46.61").cso_may_issue
        call_command("import_ordinances", str(path))
        assert Ordinance.objects.count() == 3

    def test_a_header_without_the_fines_is_refused(self, agency: Any, tmp_path: Path) -> None:
        path = tmp_path / "o.csv"
        path.write_text("code,title\nA,B\n")
        with pytest.raises(CommandError, match="lacks"):
            call_command("import_ordinances", str(path))


def test_photos_on_a_citation_lose_their_metadata(agency: Any) -> None:
    from PIL import Image

    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"
    Image.new("RGB", (200, 100)).save(buffer, format="JPEG", exif=exif)
    buffer.seek(0)
    citation = issue(agency, photos=[(buffer, len(buffer.getvalue()))])
    with citation.photos.get().image.open("rb") as f:
        assert b"CanaryCam" not in f.read()
