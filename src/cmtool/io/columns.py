"""Parsing a whole column of raw values at once (the fast path of the loaders).

Exports repeat the same codes, dates, enum values and amounts over and over, so a column is
handled as its distinct values plus an index per row (CSV columns arrive dictionary-encoded from
the reader; others are encoded here). Each distinct value is parsed once: numbers by a plain cast
when they all are plain numbers, codes as they are when they are plain ASCII, everything else by
the cell parsers of `values`. Parsed columns stay dictionary-encoded, except numbers. Typed
numbers and dates (Parquet) are used as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cmtool.fields import Field
from cmtool.io.digit_codes import all_digits
from cmtool.io.values import MAX_QUANTITY, QUANTITY_FIELDS, Invalid, cell_text, empty, parser_for, quantity_issue

_PLAIN_CODE = r"^[0-9A-Za-z][0-9A-Za-z_-]*$"
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"  # read at once by pyarrow; any other form by values.parse_date


@dataclass
class Parsed:
    """A parsed column: values (null where bad or empty), which rows are bad and why."""

    values: pa.Array
    bad: np.ndarray  # bool per row
    explain: Callable[[int], tuple[str, Invalid]]  # row → (value as written, what is wrong)


def arrow_type(field: Field) -> pa.DataType:
    """The type of a field's parsed values."""
    if field.kind == "number":
        return pa.float64()
    if field.kind == "date":
        return pa.date32()
    if field.name in ("order_weekday", "visit_weekday"):
        return pa.int8()
    if field.name == "key_brand":
        return pa.bool_()
    return pa.string()


def is_text(values: pa.Array) -> bool:
    return pa.types.is_string(values.type) or pa.types.is_large_string(values.type)


def distinct(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The distinct values (null last if any) and the position of each row's value in them."""
    encoded = values if pa.types.is_dictionary(values.type) else values.dictionary_encode()
    if not encoded.indices.null_count:
        return encoded.dictionary, encoded.indices.to_numpy()
    uniques = pa.concat_arrays([encoded.dictionary, pa.nulls(1, encoded.dictionary.type)])
    return uniques, pc.fill_null(encoded.indices, len(uniques) - 1).to_numpy()


def plain(table: pa.Table) -> pa.Table:
    """`table` with dictionary-encoded columns decoded."""
    return pa.table({
        name: column.cast(column.type.value_type) if pa.types.is_dictionary(column.type) else column
        for name, column in zip(table.column_names, table.columns)
    })


def as_text(values: pa.Array) -> pa.Array:
    """Any column as text, written the way `cell_text` writes an Excel cell."""
    if is_text(values):
        return values
    if pa.types.is_dictionary(values.type):
        return as_text(values.dictionary_decode())
    if pa.types.is_floating(values.type) or pa.types.is_boolean(values.type):
        return pa.array([cell_text(v) for v in values.to_pylist()], pa.string())
    return pc.cast(values, pa.string())


def _text_at(values: pa.Array, row: int) -> str:
    return as_text(values.slice(row, 1))[0].as_py() or ""


def _plain_numbers(texts: pa.Array) -> pa.Array | None:
    """The texts cast as they are, or None when some text is not a plain finite number."""
    try:
        values = pc.cast(texts, pa.float64())
    except pa.ArrowInvalid:
        return None
    return values if pc.all(pc.is_finite(values)).as_py() is not False else None


def _issue_at(values: pa.Array, row: int) -> Invalid:
    """What is wrong with the bad number at `row` (see `_quantities`)."""
    issue = quantity_issue(values[row].as_py())
    assert issue is not None
    return issue


def _parse_distinct(texts: pa.Array, field: Field) -> tuple[pa.Array, dict[int, Invalid]]:
    """Parse distinct texts (null: empty): values, and what is wrong with the bad ones."""
    if field.kind == "number":
        plain_values = _plain_numbers(texts)
        if plain_values is not None:
            values, bad = _quantities(plain_values, field)
            return values, {i: _issue_at(plain_values, i) for i in np.flatnonzero(bad)}
    if field.kind == "text":
        trimmed = pc.utf8_trim_whitespace(texts)
        values = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)
        missing = pc.is_null(values).to_numpy(zero_copy_only=False) if field.required else []
        return values, {i: empty(field) for i in np.flatnonzero(missing)}
    if field.kind == "code":  # a plain code is its own value: only the others are parsed one by one
        if all_digits(texts):
            return texts, {}
        plain = pc.fill_null(pc.match_substring_regex(texts, _PLAIN_CODE), False).to_numpy(zero_copy_only=False)
        if plain.all():
            return texts.cast(arrow_type(field)), {}
        results: list[object] = texts.to_pylist()
        todo: Iterable[int] = np.flatnonzero(~plain).tolist()
    elif field.kind == "date":  # ISO dates at once (a master has tens of thousands), the others one by one
        iso = pc.if_else(pc.match_substring_regex(texts, _ISO_DATE), texts, pa.scalar(None, pa.string()))
        days = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True).cast(pa.date32())
        missing = pc.is_null(days).to_numpy(zero_copy_only=False)
        if not missing.any():
            return days, {}
        results, todo = days.to_pylist(), np.flatnonzero(missing).tolist()
    else:
        results, todo = [None] * len(texts), range(len(texts))
    strings = texts.to_pylist()
    parse = parser_for(field)
    issues: dict[int, Invalid] = {}
    for i in todo:
        try:
            results[i] = parse(strings[i] or "")
        except Invalid as exc:
            results[i] = None
            issues[i] = exc
    return pa.array(results, arrow_type(field)), issues


def parse_column(raw: pa.Array, field: Field) -> Parsed:
    """Parse the raw values of one field (any arrow type) into its canonical type."""
    if field.kind == "number" and (pa.types.is_integer(raw.type) or pa.types.is_floating(raw.type)):
        return _checked_numbers(pc.cast(raw, pa.float64()), field, raw)
    if field.kind == "number" and is_text(raw):
        values = _plain_numbers(raw)
        if values is not None:
            return _checked_numbers(values, field, raw)
    if field.kind == "date" and pa.types.is_temporal(raw.type) and not pa.types.is_time(raw.type):
        return _typed_dates(raw, field)
    uniques, index = distinct(raw)
    texts = as_text(uniques)
    values, issues = _parse_distinct(texts, field)
    failed = np.zeros(len(uniques), bool)
    failed[list(issues)] = True
    bad = failed[index] if issues else np.zeros(len(index), bool)

    def explain(row: int) -> tuple[str, Invalid]:
        return texts[index[row]].as_py() or "", issues[index[row]]

    if field.kind == "number":
        return Parsed(values.take(pa.array(index)), bad, explain)
    if values is uniques and pa.types.is_dictionary(raw.type) and not raw.null_count:
        return Parsed(raw, bad, explain)  # plain codes, as they came
    at = index
    if field.kind == "code":
        values, at = _each_code_once(values, index)
    return Parsed(pa.DictionaryArray.from_arrays(pa.array(at, pa.int32()), values), bad, explain)


def _each_code_once(values: pa.Array, index: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Parsed codes with every code once, and each row's position in them: two texts may parse
    to one code (" 00007" and "00007"), and a customer or SKU must not get two ids (`distinct`)."""
    encoded = pc.dictionary_encode(values, null_encoding="encode")
    if len(encoded.dictionary) == len(values):
        return values, index
    return encoded.dictionary, encoded.indices.to_numpy()[index]


def _quantities(values: pa.Array, field: Field) -> tuple[pa.Array, np.ndarray]:
    """Float values with NaN as empty and empty as 0 for quantities, and which are bad:
    negative, infinite or beyond MAX_QUANTITY (values.quantity_issue, the one bound)."""
    numbers = values.to_numpy(zero_copy_only=False)  # empty → NaN
    if not values.null_count and ((numbers >= 0) & (numbers <= MAX_QUANTITY)).all():  # the usual column
        return values, np.zeros(len(numbers), bool)
    with np.errstate(invalid="ignore"):
        bad = (numbers < 0) | (np.abs(numbers) > MAX_QUANTITY)  # NaN is neither
    empty = np.isnan(numbers)
    if not empty.any():
        return (values if not values.null_count else pa.array(numbers)), bad
    if field.name in QUANTITY_FIELDS:
        return pa.array(np.where(empty, 0.0, numbers)), bad
    return pa.array(numbers, mask=empty), bad


def _checked_numbers(values: pa.Array, field: Field, original: pa.Array) -> Parsed:
    """Float values cast as a whole; negative, infinite and too large ones are bad."""
    values, bad = _quantities(values, field)
    return Parsed(values, bad, lambda row: (_text_at(original, row), _issue_at(values, row)))


def _typed_dates(raw: pa.Array, field: Field) -> Parsed:
    values = pc.cast(pc.cast(raw, pa.timestamp("s")) if pa.types.is_timestamp(raw.type) else raw, pa.date32())
    if field.required and values.null_count:
        missing = pc.is_null(values).to_numpy(zero_copy_only=False)
    else:
        missing = np.zeros(len(values), bool)
    return Parsed(values, missing, lambda row: ("", empty(field)))
