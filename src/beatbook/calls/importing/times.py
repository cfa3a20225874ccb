"""Reading timestamps fast: the common strptime formats compiled once into a regular
expression (about five times faster than `strptime` per row, which dominates an import);
any other format falls back to `strptime`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

_FIELDS = {
    "%Y": r"(?P<Y>\d{4})",
    "%m": r"(?P<m>\d{1,2})",
    "%d": r"(?P<d>\d{1,2})",
    "%H": r"(?P<H>\d{1,2})",
    "%I": r"(?P<I>\d{1,2})",
    "%M": r"(?P<M>\d{1,2})",
    "%S": r"(?P<S>\d{1,2})",
    "%p": r"(?P<p>[AaPp][Mm])",
    "%f": r"(?P<f>\d{1,6})",  # after a point only (ISO 8601's "05.123"; see chrono_format)
}
Parser = Callable[[str], "dt.datetime | None"]


def time_pattern(fmt: str) -> str | None:
    """The regular expression a text must match in full to be a time in `fmt`; None for a
    format using other directives (read by `strptime`)."""
    directives = re.findall(r"%.", fmt)
    if any(d not in _FIELDS for d in directives) or len(set(directives)) != len(directives):
        return None
    if "%f" in fmt and ".%f" not in fmt:  # polars reads a fraction only after a point
        return None
    if not {"%Y", "%m", "%d"} <= set(directives):  # strptime fills in the rest ("%Y": 1 Jan)
        return None
    return "".join(
        _FIELDS[part] if part in _FIELDS else re.escape(part)
        for part in re.split(r"(%.)", fmt)
        if part
    )


def chrono_format(fmt: str) -> str:
    """`fmt` as polars (chrono) reads it: Python's ".%f" (1 to 6 digits, "05.5" is half a
    second) is chrono's "%.f"; the pattern above admits only what Python's does."""
    return fmt.replace(".%f", "%.f")


def time_parser(fmt: str) -> Parser:
    """A function from text to a naive datetime, or None when the text does not fit."""
    pattern = time_pattern(fmt)
    if pattern is None:
        return _strptime(fmt)
    regex = re.compile(pattern)
    twelve_hour = "%I" in fmt

    def parse(text: str) -> dt.datetime | None:
        match = regex.fullmatch(text)
        if match is None:
            return None
        g = match.groupdict()
        hour = int(g.get("H") or g.get("I") or 0)
        if twelve_hour:
            if not 1 <= hour <= 12 or "p" not in g:
                return None
            hour = hour % 12 + (12 if g["p"].upper() == "PM" else 0)
        try:
            return dt.datetime(  # noqa: DTZ001  (the caller sets the source's zone)
                int(g["Y"]),
                int(g["m"]),
                int(g["d"]),
                hour,
                int(g.get("M") or 0),
                int(g.get("S") or 0),
                int((g.get("f") or "0").ljust(6, "0")),
            )
        except (ValueError, KeyError):
            return None

    return parse


def _strptime(fmt: str) -> Parser:
    def parse(text: str) -> dt.datetime | None:
        try:
            return dt.datetime.strptime(text, fmt)  # noqa: DTZ007  (zone set by the caller)
        except ValueError:
            return None

    return parse
