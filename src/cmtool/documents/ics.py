"""The deadlines as an iCalendar file (RFC 5545) for Outlook or a phone, via `icalendar`.

One all-day event per deadline: the task as the summary, the rule and the cmtool command in the
description, a reminder at 9:00 of the day. UIDs are stable (date, rule, task), so importing the
file of a month again updates its events rather than duplicating them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import icalendar

from cmtool.rules.deadlines import Deadline

PRODID = "-//cmtool//客户经理工具箱//ZH"


def _uid(deadline: Deadline) -> str:
    key = f"{deadline.day.isoformat()}|{deadline.rule}|{deadline.task}".encode()
    return f"{hashlib.sha1(key).hexdigest()[:20]}@cmtool"


def deadlines_ics(deadlines: Sequence[Deadline], *, company: str, stamp: datetime) -> bytes:
    """The calendar of `deadlines`, named after the company."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{company} 客户经理工作期限")
    for d in deadlines:
        event = icalendar.Event()
        event.add("uid", _uid(d))
        event.add("dtstamp", stamp)
        event.add("dtstart", d.day)
        event.add("dtend", d.day + timedelta(days=1))
        event.add("summary", d.task)
        event.add("description", f"依据：{d.rule}\n命令：{d.command}")
        event.add("categories", [d.rule])
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", d.task)
        alarm.add("trigger", timedelta(hours=9))
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def write_ics(path: Path, deadlines: Sequence[Deadline], *, company: str, stamp: datetime) -> None:
    path.write_bytes(deadlines_ics(deadlines, company=company, stamp=stamp))
