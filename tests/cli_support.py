"""Running the real `cmtool` command in a subprocess, as a user's shell or script would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def cmtool(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `python -m cmtool ARGS` in `cwd`; never raises on a non-zero exit."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CMTOOL_")}
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "cmtool", *map(str, args)],
        cwd=cwd, env=full_env, capture_output=True, text=True, encoding="utf-8", timeout=300,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def classify_sample(tmp: Path, *extra: str | Path, quarter: str = "2026Q3") -> Run:
    """`cmtool classify` on the sample company, documents to tmp/output and the ledger in tmp."""
    return cmtool("--db", tmp / "cmtool.db", "classify", "--quarter", quarter,
                  "--customers", SAMPLE / "客户信息.xlsx", "--sales", SAMPLE / "sales",
                  "--out", tmp / "output", *extra, cwd=tmp)
