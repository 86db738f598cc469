"""Issue 8: what can fail after a run committed must not (the JSON, the terminal summary), and the
one bound on quantities and sums."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from cli_support import ROOT
from corpus import CUSTOMER_HEADER, CUSTOMERS, arguments, base_inputs, master_csv

from cmtool.errors import DataError
from cmtool.io.sales import SUM_LIMIT, Totals
from cmtool.io.values import MAX_QUANTITY, Invalid, parse_quantity


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CMTOOL_")}
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return {**env, **extra}


@pytest.fixture()
def odd_company(tmp_path) -> dict[str, Path]:
    """A department whose name is rich markup and holds a character GBK (cp936) lacks."""
    inputs = base_inputs(tmp_path / "in")
    rows = [[*r[:5], "[/]锦江营销部🚬" if r[5] == "锦江营销部" else r[5], *r[6:]] for r in CUSTOMERS]
    inputs["customers"] = master_csv(tmp_path / "in" / "客户信息.csv", rows, CUSTOMER_HEADER)
    return inputs


def test_json_is_utf8_whatever_the_code_page(odd_company, tmp_path):
    args = arguments("check", odd_company, None, None, tmp_path)
    done = subprocess.run([sys.executable, "-m", "cmtool", *args], cwd=tmp_path, capture_output=True,
                          env=_env(PYTHONIOENCODING="cp936", LANG="C", LC_ALL="C"))
    assert b"Traceback" not in done.stderr
    document = json.loads(done.stdout.decode("utf-8"))
    assert document["command"] == "check"


def test_the_summary_prints_markup_and_characters_the_console_lacks(odd_company, tmp_path):
    args = [a for a in arguments("classify", odd_company, None, None, tmp_path) if a != "--json"]
    done = subprocess.run([sys.executable, "-m", "cmtool", *args], cwd=tmp_path, capture_output=True,
                          env=_env(PYTHONIOENCODING="cp936"))
    assert done.returncode == 0, done.stderr.decode("cp936", "replace")
    text = done.stderr.decode("cp936", "replace")
    assert "[/]锦江营销部" in text and "Traceback" not in text


def test_a_closed_pipe_after_the_commit_is_quiet_and_exit_0(tmp_path):
    """`cmtool … --json | head -c 10`: the reader goes away; the work is done, exit 0."""
    inputs = base_inputs(tmp_path / "in")
    args = arguments("classify", inputs, None, None, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "cmtool", *args], cwd=tmp_path, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the pipe is closed before anything is written
    stderr = proc.stderr.read().decode("utf-8")
    assert proc.wait() == 0, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert (tmp_path / "output" / "客户分类结果_2026Q3.xlsx").exists()


@given(st.floats(min_value=0, max_value=MAX_QUANTITY, allow_nan=False))
def test_every_finite_quantity_up_to_the_bound_is_read(value):
    assert parse_quantity(f"{value:f}") == float(f"{value:f}")


@given(st.one_of(st.floats(min_value=MAX_QUANTITY, exclude_min=True, allow_infinity=True),
                 st.sampled_from([math.inf, -math.inf, math.nan])))
def test_quantities_beyond_the_bound_or_not_finite_are_refused(value):
    with pytest.raises(Invalid):
        parse_quantity(repr(value))


@given(st.lists(st.floats(min_value=0, max_value=MAX_QUANTITY), min_size=1, max_size=50))
def test_totals_are_exact_hundredths_while_inside_the_limit(values):
    totals = Totals()
    exact = totals.hundredths(np.array(values), "volume_h", Path("x.csv"))
    assert exact.dtype == np.int64 and (exact >= 0).all()
    assert np.allclose(exact, np.array(values) * 100, rtol=0, atol=0.5 + 1e-16 * MAX_QUANTITY * 100)


def test_a_load_whose_total_would_leave_int64_is_refused():
    totals = Totals()
    chunk = np.full(10_000, MAX_QUANTITY)  # 1e18 hundredths each time
    with pytest.raises(DataError, match="超出"):
        for _ in range(int(SUM_LIMIT / 1e18) + 2):
            totals.hundredths(chunk, "amount_c", Path("销售.csv"))
