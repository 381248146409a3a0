# Copyright: (c) 2026, zstack.cloud contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Gson-like java.util.Date text and the AccessKey Date header format."""

from __future__ import annotations

import datetime
import functools
import re
import time

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DATE_HEADER = re.compile(r"^([A-Z][a-z]{2}), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) ([A-Za-z][A-Za-z0-9/_+:-]*)$")


@functools.lru_cache(maxsize=64)
def _gson_second(second: int) -> str:
    tm = time.localtime(second)
    hour = tm.tm_hour % 12 or 12
    ampm = "AM" if tm.tm_hour < 12 else "PM"
    return f"{_MONTHS[tm.tm_mon - 1]} {tm.tm_mday}, {tm.tm_year} {hour}:{tm.tm_min:02d}:{tm.tm_sec:02d} {ampm}"


def gson_date(epoch: float) -> str:
    """Format like Java 8 Gson's default: 'Oct 17, 2024 5:43:35 AM' (MN local zone, no zone suffix).
    Cached per second: a fleet of 100,000 VMs saves as many rows in the same few seconds."""
    return _gson_second(int(epoch))


def format_date_header(when: datetime.datetime, zone: str = "CST") -> str:
    """'EEE, dd MMM yyyy HH:mm:ss z' as zssdk/Java clients send it (wall clock + zone name)."""
    return f"{_DAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year} {when:%H:%M:%S} {zone}"


def parse_date_header(text: str) -> datetime.datetime | None:
    """Parse the AccessKey Date header; None when the format is wrong.  The zone is ignored
    (rest.checkTimeZone=false compares local wall-clock times)."""
    match = _DATE_HEADER.match(text.strip())
    if not match:
        return None
    dow, day, mon, year, hour, minute, sec, _zone = match.groups()
    if mon not in _MONTHS or dow not in _DAYS:
        return None
    try:
        when = datetime.datetime(int(year), _MONTHS.index(mon) + 1, int(day), int(hour), int(minute), int(sec))
    except ValueError:
        return None
    if _DAYS[when.weekday()] != dow:
        return None
    return when
