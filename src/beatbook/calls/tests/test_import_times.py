"""The fast timestamp reader gives exactly what strptime gives, and refuses what it refuses."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from beatbook.calls.importing.times import time_parser, time_pattern

FORMATS = [
    "%m/%d/%Y %I:%M:%S %p",
    "%Y-%m-%d %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%Y%m%dT%H%M%S",
    "%Y-%m-%dT%H:%M:%S.%f",  # ISO 8601 with a fraction, as Socrata's exports write it
]


@given(
    moment=st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2060, 1, 1)),
    fmt=st.sampled_from(FORMATS),
)
def test_same_as_strptime(moment: dt.datetime, fmt: str) -> None:
    text = moment.strftime(fmt)
    assert time_parser(fmt)(text) == dt.datetime.strptime(text, fmt)  # noqa: DTZ007


def test_unpadded_hours_and_refusals() -> None:
    seattle = time_parser("%m/%d/%Y %I:%M:%S %p")
    assert seattle("11/04/2023 6:08:26 PM") == dt.datetime(2023, 11, 4, 18, 8, 26)  # noqa: DTZ001
    assert seattle("11/04/2023 12:08:26 AM") == dt.datetime(2023, 11, 4, 0, 8, 26)  # noqa: DTZ001
    for bad in ("02/30/2023 1:00:00 PM", "11/04/2023 13:08:26 PM", "yesterday", ""):
        assert seattle(bad) is None
    iso = time_parser("%Y-%m-%dT%H:%M:%S.%f")
    assert iso("2024-01-02T21:30:05.5") == dt.datetime(2024, 1, 2, 21, 30, 5, 500000)  # noqa: DTZ001
    assert iso("2024-01-02T21:30:05.000") == dt.datetime(2024, 1, 2, 21, 30, 5)  # noqa: DTZ001
    for bad in ("2024-01-02T21:30:05", "2024-01-02T21:30:05.1234567", "2024-01-02T21:30:05."):
        assert iso(bad) is None
    assert time_pattern("%Y-%m-%d %H:%M:%S,%f") is None  # a comma: the strptime path
    # Without a month and a day, strptime takes the first of January; the pattern would not
    # read it at all (and polars would, a third reading).
    assert time_pattern("%Y") is None
    assert time_parser("%Y")("2024") == dt.datetime(2024, 1, 1)  # noqa: DTZ001
    other = time_parser("%d %b %Y")  # month names: the strptime path
    assert other("04 Nov 2023") == dt.datetime(2023, 11, 4)  # noqa: DTZ001
    assert other("4 Nov") is None
