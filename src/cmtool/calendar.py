"""R-CAL: Chinese working days.

Weekends and statutory holidays are off, official make-up days (调休) on. chinese-calendar covers
the years it knows; the config's [calendar] adds holidays and make-up days for others. A date in a
year that neither covers is an error that names the year, never a weekend-only guess.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from cmtool.config import CalendarConfig
from cmtool.errors import CalendarError


class WorkCalendar:
    """Working days from chinese-calendar plus the config's additions."""

    def __init__(self, extra: CalendarConfig | None = None):
        extra = extra or CalendarConfig()
        self._holidays = set(extra.holidays)
        self._workdays = set(extra.workdays)
        self._config_years = {d.year for d in self._holidays | self._workdays}

    def covers(self, year: int) -> bool:
        """Whether some source knows the holidays of `year`."""
        if year in self._config_years:
            return True
        try:
            chinese_calendar.is_workday(date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        """True on a Chinese working day; CalendarError for a year no source covers."""
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year in self._config_years:
                return day.weekday() < 5
            raise CalendarError(
                f"内置节假日日历没有 {day.year} 年的数据，无法计算工作日（{day.isoformat()}）",
                fix=f"请在配置文件 [calendar] 中加入 {day.year} 年的法定节假日 holidays 和调休上班日 workdays",
            ) from None

    def nth_workday(self, year: int, month: int, n: int) -> date:
        """The n-th working day (1-based) of a month."""
        day = date(year, month, 1)
        count = 0
        while True:
            if self.is_workday(day):
                count += 1
                if count == n:
                    return day
            day += timedelta(days=1)

    def next_workday_on_or_after(self, day: date) -> date:
        """`day` itself if it is a working day, else the next one."""
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day
