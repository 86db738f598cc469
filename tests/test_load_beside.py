"""commands.common.load_beside (issue 13): the master is read in a thread while the sales are read,
and its refusal comes first, as when it was read first."""

from __future__ import annotations

import threading

import pytest

from cmtool.commands.common import load_beside
from cmtool.errors import DataError


def test_both_are_returned_and_the_master_is_read_in_another_thread():
    here = threading.get_ident()
    master, sales = load_beside(lambda: threading.get_ident(), lambda progress: (progress(1, 2), "sales")[1])
    assert master != here and sales == "sales"


def test_a_master_refusal_stops_the_sales_at_their_next_progress_report():
    failed = threading.Event()
    reports = []

    def master():
        failed.set()
        raise DataError("客户信息有错")

    def sales(progress):
        failed.wait()
        for done in range(1000):
            reports.append(done)
            progress(done, 1000)
            threading.Event().wait(0.001)  # the master's thread ends meanwhile
        return "read"

    with pytest.raises(DataError, match="客户信息有错"):
        load_beside(master, sales)
    assert len(reports) < 1000


def test_the_master_refusal_wins_over_the_sales_refusal():
    def master():
        threading.Event().wait(0.05)  # still reading when the sales fail
        raise DataError("客户信息有错")

    def sales(progress):
        raise DataError("销售数据有错")

    with pytest.raises(DataError, match="客户信息有错"):
        load_beside(master, sales)


def test_a_sales_refusal_with_a_good_master():
    def sales(progress):
        raise DataError("销售数据有错")

    with pytest.raises(DataError, match="销售数据有错"):
        load_beside(lambda: "master", sales)
