"""emit_json (cli.md, issue 13): a document with `JsonRows` is printed chunk by chunk as exactly
the text json.dumps gives for the whole document."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

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
