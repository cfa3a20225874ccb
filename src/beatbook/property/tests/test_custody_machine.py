"""R22: random sequences of custody moves, with the invariants checked after every step."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from beatbook.core.exceptions import DomainError
from beatbook.property import services
from beatbook.property.chain import chain_check
from beatbook.property.choices import ItemStatus
from beatbook.property.models import PropertyItem, StorageLocation

pytestmark = pytest.mark.django_db

PEOPLE = ("cso", "cso_other_team", "supervisor", "admin")


def test_custody_state_machine(agency: dict[str, Any]) -> None:
    shelves = [StorageLocation.objects.create(code=f"PR-M-{n}", room="M") for n in (1, 2)]

    class Custody(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.item = services.item_intake(
                actor=agency["cso"],
                kind="found",
                category="25",
                description="Wallet",
                location=shelves[0],
                found_at=timezone.now() - dt.timedelta(days=400),
            )
            self.status = ItemStatus.IN_CUSTODY
            self.events = 1
            self.requested_by: str | None = None

        def attempt(self, allowed: bool, move: Any) -> None:
            before = self.item.events.count()
            try:
                move()
            except DomainError:
                assert not allowed, "a legal move was refused"
                assert self.item.events.count() == before, "a refused move left a row"
                return
            assert allowed, "a forbidden move was accepted"

        @rule(to=st.sampled_from(PEOPLE), by=st.sampled_from(PEOPLE))
        def check_out(self, to: str, by: str) -> None:
            ok = self.status == ItemStatus.IN_CUSTODY
            self.attempt(
                ok,
                lambda: services.item_check_out(
                    actor=agency[by], item=self.item, to=agency[to], reason="court"
                ),
            )
            if ok:
                self.status, self.events = ItemStatus.CHECKED_OUT, self.events + 1

        @rule(to=st.sampled_from(PEOPLE))
        def transfer(self, to: str) -> None:
            self.item.refresh_from_db()
            ok = self.status == ItemStatus.CHECKED_OUT and self.item.custodian != agency[to]
            self.attempt(
                ok,
                lambda: services.item_transfer(
                    actor=agency["supervisor"], item=self.item, to=agency[to], reason="lab"
                ),
            )
            self.events += ok

        @rule(shelf=st.sampled_from([0, 1]))
        def check_in(self, shelf: int) -> None:
            ok = self.status == ItemStatus.CHECKED_OUT
            self.attempt(
                ok,
                lambda: services.item_check_in(
                    actor=agency["cso"], item=self.item, location=shelves[shelf]
                ),
            )
            if ok:
                self.status, self.events = ItemStatus.IN_CUSTODY, self.events + 1

        @rule(by=st.sampled_from(PEOPLE))
        def release(self, by: str) -> None:
            ok = self.status == ItemStatus.IN_CUSTODY and by in ("supervisor", "admin")
            self.attempt(
                ok,
                lambda: services.item_release(
                    actor=agency[by], item=self.item, owner_name="Owner", identity_checked="ID"
                ),
            )
            if ok:
                self.status, self.events = ItemStatus.RELEASED, self.events + 1

        @rule(by=st.sampled_from(("supervisor", "admin")))
        def request_disposal(self, by: str) -> None:
            ok = self.status == ItemStatus.IN_CUSTODY
            self.attempt(
                ok,
                lambda: services.disposal_request(
                    actor=agency[by], item=self.item, method="donate"
                ),
            )
            if ok:
                self.requested_by = by

        @rule(by=st.sampled_from(("supervisor", "admin")))
        def approve_disposal(self, by: str) -> None:
            ok = (
                self.status == ItemStatus.IN_CUSTODY
                and self.requested_by is not None
                and self.requested_by != by
            )
            self.attempt(ok, lambda: services.disposal_approve(actor=agency[by], item=self.item))
            if ok:
                self.status, self.events = ItemStatus.DISPOSED, self.events + 1

        @invariant()
        def one_holder_and_an_intact_chain(self) -> None:
            item = PropertyItem.objects.get(pk=self.item.pk)
            assert item.status == self.status
            holders = [h for h in (item.custodian_id, item.location_id) if h is not None]
            expected = 1 if self.status in (ItemStatus.IN_CUSTODY, ItemStatus.CHECKED_OUT) else 0
            assert len(holders) == expected
            assert (item.location_id is not None) == (self.status == ItemStatus.IN_CUSTODY)
            events = list(item.events.order_by("seq"))
            assert len(events) == self.events
            assert chain_check(item.number, events) is None

        @precondition(lambda self: self.status in (ItemStatus.RELEASED, ItemStatus.DISPOSED))
        @rule()
        def nothing_moves_after_it_left(self) -> None:
            for move in (
                lambda: services.item_check_out(
                    actor=agency["supervisor"], item=self.item, to=agency["cso"], reason="x"
                ),
                lambda: services.item_check_in(
                    actor=agency["supervisor"], item=self.item, location=shelves[0]
                ),
            ):
                self.attempt(False, move)

    Custody.TestCase.settings = settings(
        max_examples=20,
        stateful_step_count=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    Custody.TestCase().runTest()
