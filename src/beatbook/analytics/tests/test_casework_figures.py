"""The referrals-and-mediation page's figures against hand-counted values: referrals per
week by where they stand now, how soon providers answer, what each agreement's latest
follow-up found."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from beatbook.analytics.casework import follow_up_state, mediation_outcomes, referral_weeks
from beatbook.analytics.scope import Scope
from beatbook.calls.tests.factories import intake
from beatbook.casework.services import mediation
from beatbook.casework.tests.factories import case_open
from beatbook.core.testing import login
from beatbook.resources.models import Referral
from beatbook.resources.services import referrals
from beatbook.resources.tests.factories import directory_build, referral_made

pytestmark = pytest.mark.django_db


def local(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(hour), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def referral_history(agency: dict[str, Any]) -> dict[str, Any]:
    """Five referrals from a welfare check in A1, over two weeks of November 2026:

    made            answers (days after)                       week of   stands now
    Wed 4 Nov       accepted (2), served (5)                   2 Nov     served
    Sun 8 Nov       declined (4)                               2 Nov     not served
    Tue 10 Nov      withdrawn by the CSO (1): not an answer    9 Nov     not served
    Wed 11 Nov      accepted (1)                               9 Nov     accepted
    Fri 13 Nov      none                                       9 Nov     waiting
    """
    ids = directory_build()
    call = intake(agency["dispatcher"], code="WELFARE")
    cso = agency["cso"]

    def made(day: str) -> Referral:
        with time_machine.travel(local(day), tick=False):
            return referral_made(cso, ids, call=call)  # type: ignore[no-any-return]

    def answer(referral: Referral, day: str, status: str, actor: Any = None) -> None:
        with time_machine.travel(local(day), tick=False):
            referrals.referral_status_set(
                actor=actor or referrals.provider_actor(referral), referral=referral, status=status
            )

    served, declined, withdrawn, accepted = (
        made(d) for d in ("2026-11-04", "2026-11-08", "2026-11-10", "2026-11-11")
    )
    made("2026-11-13")
    answer(served, "2026-11-06", "accepted")
    answer(served, "2026-11-09", "served")
    answer(declined, "2026-11-12", "declined")
    answer(withdrawn, "2026-11-11", "withdrawn", actor=cso)
    answer(accepted, "2026-11-12", "accepted")
    return {"call": call}


# A Wednesday to a Wednesday: three weeks touched, the last with no referral.
PARAMS = {"start": "2026-11-04", "end": "2026-11-18"}


def test_referrals_per_week_by_where_they_stand_now(
    agency: dict[str, Any], referral_history: dict[str, Any]
) -> None:
    from beatbook.analytics.casework import referrals_in

    scope = Scope(start=dt.date(2026, 11, 4), end=dt.date(2026, 11, 18))
    weeks = referral_weeks(scope, referrals_in(scope))
    # (served, accepted, waiting, not served)
    assert [(w.start.isoformat(), w.counts) for w in weeks] == [
        ("2026-11-02", (1, 0, 0, 1)),
        ("2026-11-09", (0, 1, 1, 1)),
        ("2026-11-16", (0, 0, 0, 0)),
    ]
    analyst = login(Client(), agency["analyst"])
    response = analyst.get("/analytics/export/referrals-by-week.csv", PARAMS)
    rows = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert rows == [
        ["week_start", "served", "accepted", "waiting", "not_served"],
        ["2026-11-02", "1", "0", "0", "1"],
        ["2026-11-09", "0", "1", "1", "1"],
        ["2026-11-16", "0", "0", "0", "0"],
    ]
    # The call was in A1: another beat has the same weeks, all empty.
    response = analyst.get(
        "/analytics/export/referrals-by-week.csv", {**PARAMS, "beat": agency["b1"].pk}
    )
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[1:] == ["2026-11-02,0,0,0,0", "2026-11-09,0,0,0,0", "2026-11-16,0,0,0,0"]
    cso = login(Client(), agency["cso"])
    assert cso.get("/analytics/export/referrals-by-week.csv", PARAMS).status_code == 403


def test_half_the_providers_answered_within_the_median_days(
    agency: dict[str, Any], referral_history: dict[str, Any]
) -> None:
    """Answers after 2, 4 and 1 days (the first answer of the served one; a withdrawal is the
    resident's, not the provider's; the unanswered one has none): the median is 2."""
    analyst = login(Client(), agency["analyst"])
    page = analyst.get("/analytics/casework/", PARAMS).content.decode()
    assert '<p class="muted small" id="answer-days">Half answered within 2.0 days</p>' in page
    assert 'id="referral-weeks"' in page
    assert "02 Nov · Served: 1" in page  # the weekly chart's tooltip
    # Nothing answered in a week with one referral still waiting: no median to show.
    page = analyst.get("/analytics/casework/", {"start": "2026-11-13", "end": "2026-11-13"})
    assert 'id="answer-days"' not in page.content.decode()


def test_an_agreements_follow_up_column_says_what_was_found_or_when_it_is_due(
    agency: dict[str, Any],
) -> None:
    case = case_open(agency)
    session = mediation.session_schedule(
        actor=agency["cso"],
        case=case,
        starts_at=timezone.now() + dt.timedelta(hours=2),
        place="Community room",
    )
    mediation.session_record(actor=agency["cso"], session=session, outcome="held")
    mediation.agreement_record(actor=agency["cso"], case=case, text="Quiet after ten.")
    first, second = case.follow_ups.all()
    today = timezone.localdate()
    assert follow_up_state(case) == (None, f"30-day due {today + dt.timedelta(days=30)}")
    mediation.follow_up_record(actor=agency["cso"], follow_up=first, outcome="holding")
    assert follow_up_state(case) == (first, "Agreement holding, 30 days")
    mediation.follow_up_record(actor=agency["cso"], follow_up=second, outcome="broken")
    second.refresh_from_db()
    assert follow_up_state(case) == (second, "Agreement broken, 90 days")

    scope = Scope(start=today - dt.timedelta(days=1), end=today)
    outcomes = mediation_outcomes(scope)
    # Each agreement counts once, by its latest follow-up.
    assert outcomes["follow_ups"] == [
        ("Agreement holding", 0),
        ("Partly kept", 0),
        ("Agreement broken", 1),
        ("Could not reach the parties", 0),
    ]
    analyst = login(Client(), agency["analyst"])
    page = analyst.get("/analytics/casework/").content.decode()
    assert '<td class="flagged">Agreement broken, 90 days</td>' in page
    response = analyst.get("/analytics/export/mediation-before-after.csv")
    rows = list(csv.reader(b"".join(response.streaming_content).decode().splitlines()))
    assert rows[0][-2:] == ["follow_up_days", "follow_up_outcome"]
    assert rows[1][0] == case.number
    assert rows[1][-2:] == ["90", "broken"]
