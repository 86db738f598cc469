"""R-CAL: the month's deadlines against hand-counted months, the ics file parsed back."""

from __future__ import annotations

from datetime import date, datetime, timezone

import icalendar
import pandas as pd
import pytest

from cmtool.calendar import WorkCalendar
from cmtool.config import CalendarConfig
from cmtool.documents.ics import deadlines_ics
from cmtool.errors import CalendarError
from cmtool.periods import Month
from cmtool.rules.deadlines import month_deadlines, working_days


def _by_rule(deadlines):
    found = {}
    for d in deadlines:
        found.setdefault(d.rule, []).append(d.day)
    return found


def test_r_cal_october_2026_national_day_and_makeup_saturday():
    # Hand count: 10/1–10/7 国庆中秋 off; working 8 Thu, 9 Fri, 10 Sat (调休), 12–16, 19–23, 26–30 → 18
    cal = WorkCalendar()
    days = working_days(Month.parse("2026-10"), cal)
    assert len(days) == 18 and days[:3] == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10)]
    deadlines = month_deadlines(Month.parse("2026-10"), cal)
    rules = _by_rule(deadlines)
    assert rules["R-TOP5"] == [date(2026, 10, 8)]  # first working day
    assert rules["R-STAT"] == [date(2026, 10, 13)]  # 5th: 8, 9, 10, 12, 13
    assert rules["R-QUOTA-REVIEW"] == [date(2026, 10, 13)]
    assert rules["R-DYN"] == [date(2026, 10, 21), date(2026, 10, 30)]
    assert rules["R-PLAN"] == [date(2026, 10, 8), date(2026, 10, 30)]
    assert [d.day for d in deadlines] == sorted(d.day for d in deadlines)
    stat = next(d for d in deadlines if d.rule == "R-STAT")
    assert stat.task == "报送《客户分类情况统计表》（2026年第3季度）" and stat.command == "cmtool classify --quarter 2026Q3"


def test_r_cal_a_month_that_does_not_start_a_quarter_has_no_stat_deadline():
    rules = _by_rule(month_deadlines(Month.parse("2026-11"), WorkCalendar()))
    assert "R-STAT" not in rules and "R-QUOTA-REVIEW" not in rules
    assert rules["R-TOP5"] == [date(2026, 11, 2)]  # 11/1 is a Sunday
    assert rules["R-DYN"][0] == date(2026, 11, 23)  # the 21st is a Saturday


def test_r_cal_a_config_added_year():
    # 2031: January with 1/1–1/2 off (config) and Saturday 1/4 made a working day
    cal = WorkCalendar(CalendarConfig(holidays=[date(2031, 1, 1), date(2031, 1, 2)], workdays=[date(2031, 1, 4)]))
    days = working_days(Month.parse("2031-01"), cal)
    # weekdays of Jan 2031: 23; minus 1/1 (Wed), 1/2 (Thu); plus Sat 1/4 → 22
    assert len(days) == 22 and days[0] == date(2031, 1, 3) and days[1] == date(2031, 1, 4)
    assert _by_rule(month_deadlines(Month.parse("2031-01"), cal))["R-STAT"] == [date(2031, 1, 8)]


def test_r_cal_a_year_no_source_covers_is_an_error():
    with pytest.raises(CalendarError) as e:
        month_deadlines(Month.parse("2031-03"), WorkCalendar())
    assert "2031" in e.value.message


def test_r_info_2_new_customers_setup_deadlines_in_the_month():
    new = pd.DataFrame({"customer_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"],
                        "joined": pd.to_datetime(["2026-09-30", "2026-10-20", "2026-08-01"])})
    found = [d for d in month_deadlines(Month.parse("2026-10"), WorkCalendar(), new_customers=new)
             if d.rule == "R-INFO"]
    assert [(d.day, d.task.split()[1]) for d in found] == [(date(2026, 10, 9), "A"), (date(2026, 10, 22), "B")]


def test_r_cal_ics_parses_back_with_every_deadline():
    deadlines = month_deadlines(Month.parse("2026-10"), WorkCalendar())
    data = deadlines_ics(deadlines, company="示例市烟草公司", stamp=datetime(2026, 9, 1, tzinfo=timezone.utc))
    cal = icalendar.Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == len(deadlines)
    first = events[0]
    assert first.decoded("dtstart") == deadlines[0].day and str(first["summary"]) == deadlines[0].task
    assert deadlines[0].command in str(first["description"])
    assert len({str(e["uid"]) for e in events}) == len(events)
    again = deadlines_ics(deadlines, company="示例市烟草公司", stamp=datetime(2026, 9, 2, tzinfo=timezone.utc))
    assert [str(e["uid"]) for e in icalendar.Calendar.from_ical(again).walk("VEVENT")] == [str(e["uid"]) for e in events]
