"""R-CAL: Chinese working days."""

from datetime import date

import pytest

from cmtool.calendar import WorkCalendar
from cmtool.config import CalendarConfig
from cmtool.errors import CalendarError


def test_r_cal_national_day_and_makeup_day():
    cal = WorkCalendar()
    assert not cal.is_workday(date(2025, 10, 1))  # 国庆
    assert not cal.is_workday(date(2025, 10, 8))  # 国庆中秋连休
    assert cal.is_workday(date(2025, 10, 11))  # 调休上班（周六）
    assert not cal.is_workday(date(2025, 10, 12))  # 周日


def test_r_cal_fifth_working_day_of_october_2025():
    # 10/1–10/8 off; 10/9 Thu, 10/10 Fri, 10/11 Sat (调休上班), 10/13 Mon, 10/14 Tue
    assert WorkCalendar().nth_workday(2025, 10, 5) == date(2025, 10, 14)


def test_r_cal_spring_festival_2026_first_working_day_of_march():
    assert WorkCalendar().nth_workday(2026, 3, 1) == date(2026, 3, 2)


def test_r_cal_year_not_covered_is_an_error_naming_it():
    with pytest.raises(CalendarError) as e:
        WorkCalendar().is_workday(date(2031, 1, 2))
    assert "2031" in e.value.message and "[calendar]" in e.value.fix


def test_r_cal_config_adds_a_year():
    cal = WorkCalendar(CalendarConfig(holidays=[date(2031, 1, 1), date(2031, 1, 2)], workdays=[date(2031, 1, 4)]))
    assert not cal.is_workday(date(2031, 1, 2))
    assert cal.is_workday(date(2031, 1, 3))  # Friday
    assert cal.is_workday(date(2031, 1, 4))  # Saturday made a working day
    assert not cal.is_workday(date(2031, 1, 5))  # Sunday
    assert cal.nth_workday(2031, 1, 2) == date(2031, 1, 4)


def test_r_cal_config_additions_override_a_covered_year():
    cal = WorkCalendar(CalendarConfig(holidays=[date(2026, 6, 3)]))
    assert not cal.is_workday(date(2026, 6, 3))
    assert cal.is_workday(date(2026, 6, 4))
    assert not cal.is_workday(date(2026, 10, 1))  # built-in still applies
