"""R-CAL: the month's deadlines of the manual's duties, counted in Chinese working days.

Pure: the calendar comes in as a `WorkCalendar`-like object (is_workday, nth_workday). The duties
and their deadlines (manual 第三章; domain.md R-CAL, R-STAT, R-TOP5, R-QUOTA-REVIEW, R-DYN,
R-PLAN, R-INFO 2):

- first month of a quarter: 《客户分类情况统计表》 of the quarter before, 5th working day (R-STAT);
  单户单次定量组别清理, within the first 5 working days (R-QUOTA-REVIEW);
- every month: the top-5 % list of the month before, 1st working day (R-TOP5); the month's
  营销动作计划, 1st working day, and its results, last working day (R-PLAN); the review of the
  month's breach records, from the 21st (the first working day on or after it) (R-DYN 1); the
  notices, delivered before each customer's first order day of M+1: at the latest on the last
  working day of M for a customer that orders on the first working day of M+1 (R-DYN 2);
- with the master: each new customer's set-up, 2nd working day after 入网 (R-INFO 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

import pandas as pd

from cmtool.periods import Month
from cmtool.rules.base_info import setup_due

STAT_WORKDAY = 5
QUOTA_WORKDAYS = 5
SETUP_LOOKBACK_DAYS = 31  # 2 working days after 入网 never reach further, even over the Spring Festival


class Calendar(Protocol):
    def is_workday(self, day: date) -> bool: ...
    def nth_workday(self, year: int, month: int, n: int) -> date: ...
    def next_workday_on_or_after(self, day: date) -> date: ...


@dataclass(frozen=True)
class Deadline:
    """One deadline: the day, the task in Chinese, the rule ID and the cmtool command for it."""

    day: date
    task: str
    rule: str
    command: str


def working_days(month: Month, calendar: Calendar) -> list[date]:
    """R-CAL: the working days of `month`."""
    days = (month.first_day + timedelta(days=i) for i in range(month.last_day.day))
    return [d for d in days if calendar.is_workday(d)]


def _first_on_or_after(day: date, month: Month, calendar: Calendar) -> date:
    """The first working day of `month` on or after `day` (else the month's last working day)."""
    days = working_days(month, calendar)
    return next((d for d in days if d >= day), days[-1])


def month_deadlines(month: Month, calendar: Calendar, *, review_from_day: int = 21,
                    new_customers: pd.DataFrame | None = None) -> list[Deadline]:
    """R-CAL: the deadlines falling in `month`, by date then rule. `new_customers` (customer_id,
    name, joined) adds the set-up deadline of each customer whose deadline falls in the month."""
    days = working_days(month, calendar)
    first, last = days[0], days[-1]
    before = month.prev()
    found = [
        Deadline(first, f"发布{before.label}销量排名前5%客户名单，建立/归档客户档案", "R-TOP5",
                 f"cmtool top5 --month {before.key}"),
        Deadline(first, f"制定{month.label}营销动作计划（135工作法）", "R-PLAN", f"cmtool plan init --month {month.key}"),
        Deadline(_first_on_or_after(date(month.year, month.month, review_from_day), month, calendar),
                 f"审议{month.label}诚信经营协议违约记录，填报《客户动态管理审批表》（自{review_from_day}日起）", "R-DYN",
                 f"cmtool dynamic review --month {month.key} --records 违约记录文件"),
        Deadline(last, f"送达动态管理通知书（须在客户{month.next().label}首个订货日前送达，最迟今日）", "R-DYN",
                 f"cmtool dynamic notices --month {month.key} --decisions 审议决定文件"),
        Deadline(last, f"提交{month.label}《客户经理任务执行标注表》", "R-PLAN",
                 f"cmtool plan close --month {month.key} --manager 姓名"),
    ]
    if month.month in (1, 4, 7, 10):
        quarter = before.quarter
        found += [
            Deadline(days[STAT_WORKDAY - 1], f"报送《客户分类情况统计表》（{quarter.label}）", "R-STAT",
                     f"cmtool classify --quarter {quarter.key}"),
            Deadline(days[QUOTA_WORKDAYS - 1], f"完成单户单次定量组别清理（{quarter.next().label}执行）",
                     "R-QUOTA-REVIEW", f"cmtool quota-review --quarter {quarter.key}"),
        ]
    for r in (new_customers if new_customers is not None else pd.DataFrame(columns=["joined"])).itertuples():
        earliest = month.first_day - timedelta(days=SETUP_LOOKBACK_DAYS)
        if pd.isna(r.joined) or not earliest <= r.joined.date() <= month.last_day:
            continue  # its deadline cannot fall in the month (and old years need no calendar)
        due = setup_due(r.joined.date(), calendar.is_workday)
        if month.first_day <= due <= month.last_day:
            found.append(Deadline(due, f"新入网客户 {r.customer_id} {r.name} 基础信息维护完成"
                                       f"（{r.joined:%Y-%m-%d} 入网）", "R-INFO",
                                  f"cmtool check --customers 客户信息文件 --date {due.isoformat()}"))
    order = {"R-TOP5": 0, "R-PLAN": 1, "R-STAT": 2, "R-QUOTA-REVIEW": 3, "R-DYN": 4, "R-INFO": 5}
    return sorted(found, key=lambda d: (d.day, order[d.rule]))
