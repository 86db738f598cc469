"""R-ANA-REPORT charts (documents/svg_charts.py): valid SVG, text kept as escaped text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from cmtool.documents.svg_charts import bar_chart, line_chart, scatter_chart

SVG = "{http://www.w3.org/2000/svg}"


def _texts(markup: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(str(markup)).iter(f"{SVG}text")]


def test_bar_chart_escapes_names_and_labels_values() -> None:
    svg = bar_chart("<标题>", ["食杂店", "<b>&"], {"单条值": [120.0, float("nan")]}, lambda v: f"{v:.0f}",
                    reference=(100.0, "控制线"))
    texts = _texts(svg)
    assert "<标题>" in texts and "<b>&" in texts and "120" in texts and "控制线" in texts
    assert len(ET.fromstring(str(svg)).findall(f"{SVG}rect")) == 1  # no bar for a missing value


def test_line_and_scatter_charts_parse() -> None:
    line = line_chart("趋势", ["7月", "8月"], {"购进量": [10.0, 20.0]}, lambda v: f"{v:.0f}")
    assert ET.fromstring(str(line)).find(f"{SVG}polyline") is not None
    scatter = scatter_chart("象限", {"双高": ([1.2, 9.0], [1.1, 0.5])}, "x", "y", (3.0, 2.0))
    circles = [c for c in ET.fromstring(str(scatter)).iter(f"{SVG}circle") if c.get("r") == "2"]
    assert len(circles) == 2 and max(float(c.get("cx")) for c in circles) == 660.0  # 9× drawn on the edge
