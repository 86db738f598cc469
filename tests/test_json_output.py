"""emit_json (cli.md, issue 13): a document with `JsonRows` is printed chunk by chunk as exactly
the text json.dumps gives for the whole document."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from cmtool.commands import common
from cmtool.commands.common import JsonRows, emit_json, json_records


@pytest.mark.parametrize("rows", [0, 1, 7, 23])
def test_chunked_rows_print_as_the_whole_document_would(rows, capsys, monkeypatch):
    monkeypatch.setattr(common, "JSON_CHUNK_ROWS", 5)
    frame = pd.DataFrame({"customer_id": [f"{i:04d}" for i in range(rows)], "rank": np.arange(rows),
                          "score": [None if i % 3 else i / 7 for i in range(rows)], "name": ["张记\"&<"] * rows})
    fields = ["customer_id", "rank", "score", "name"]
    emit_json({"command": "classify", "results": JsonRows(frame, fields), "nested": {"a": [1, 2]}, "outputs": []})
    whole = {"command": "classify", "results": json_records(frame, fields), "nested": {"a": [1, 2]}, "outputs": []}
    assert capsys.readouterr().out == json.dumps(whole, ensure_ascii=False, default=str) + "\n"


def test_a_rendered_document_prints_the_same_text(capsys, monkeypatch):
    """classify renders its document while the 统计表 worker writes and prints it after the publish."""
    monkeypatch.setattr(common, "JSON_CHUNK_ROWS", 2)
    frame = pd.DataFrame({"customer_id": ["001", "002", "003"], "rank": [1, 2, 3]})
    document = {"command": "classify", "results": JsonRows(frame, ["customer_id", "rank"])}
    emit_json(document)
    streamed = capsys.readouterr().out
    emit_json(common.render_json(document))
    assert capsys.readouterr().out == streamed == json.dumps(
        {"command": "classify", "results": json_records(frame, ["customer_id", "rank"])}, ensure_ascii=False) + "\n"


TEXTS = st.none() | st.text(max_size=6) | st.sampled_from(['"', "\\", '", "', "\\\", \\\"", "\n", "\u2028", "张记"])
NUMBERS = st.none() | st.floats(allow_nan=True, allow_infinity=True) | st.integers(-10**12, 10**12)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), rows=st.integers(0, 12))
def test_rows_json_is_json_dumps_of_the_records(data, rows):
    """Issue 13: the column-wise text equals json.dumps of json_records, whatever the columns hold."""
    frame = pd.DataFrame({
        "code": data.draw(st.lists(TEXTS, min_size=rows, max_size=rows)),
        "arrow_text": pd.array(data.draw(st.lists(TEXTS, min_size=rows, max_size=rows)), dtype="string[pyarrow]"),
        "text%s": pd.Series(data.draw(st.lists(TEXTS, min_size=rows, max_size=rows)), dtype="str"),
        "float": pd.array(data.draw(st.lists(st.floats(allow_nan=True), min_size=rows, max_size=rows)), dtype="float64"),
        "int": np.arange(rows, dtype="int64") * 10**11,
        "nullable": pd.array(data.draw(st.lists(st.none() | st.integers(-5, 5), min_size=rows, max_size=rows)),
                             dtype="Int64"),
        "flag": data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows)),
        "mixed": pd.Series(data.draw(st.lists(NUMBERS | TEXTS | st.booleans() | st.dates(), min_size=rows,
                                              max_size=rows)), dtype=object),
    })
    fields = data.draw(st.permutations(list(frame.columns)))
    expected = json.dumps(json_records(frame, fields), ensure_ascii=False, default=str)
    assert "[" + common.rows_json(frame, fields) + "]" == expected
