"""Parsing one cell's text into a canonical value (data.md, domain.md R-CLASS).

Every parser takes the cell as text (Excel cells are turned into text first by
`cell_text`) and returns the canonical value or raises `Invalid` with a Chinese message and
fix. Matching trims spaces and applies NFKC (full-width → half-width) first.

- codes (客户编码, 许可证号, 卷烟编码): kept as text, leading zeros kept; `510101100001.0` from a
  number cell becomes `510101100001`; scientific notation (`5.101E+11`) cannot be recovered.
- numbers: `1,234.50`, full-width digits; empty is 0 only for quantities (QUANTITY_FIELDS).
- months → `YYYY-MM`; dates → `datetime.date`; enums → their canonical value, never guessed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from cmtool import fields as f
from cmtool.fields import Field

QUANTITY_FIELDS = frozenset({"volume", "amount", "orders", "demand"})

# Price classes and the key-brand flag of order lines (data.md); the other vocabularies are in fields.py.
PRICE_CLASSES: dict[str, tuple[str, ...]] = {
    f"{c}类": (f"{i}类", f"{c}类烟", f"{i}类烟", str(i)) for i, c in enumerate("一二三四五", start=1)
}
KEY_BRAND: dict[bool, tuple[str, ...]] = {
    True: ("是", "Y", "YES", "1", "TRUE", "√"),
    False: ("否", "N", "NO", "0", "FALSE", "×"),
}
STATUSES: dict[str, tuple[str, ...]] = {s: () for s in f.ACTIVE_STATUSES + f.INACTIVE_STATUSES}

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?E[+-]?\d+$", re.IGNORECASE)
_FLOAT_INTEGER = re.compile(r"^(\d+)\.0+$")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?$|^[+-]?\.\d+$")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月份?$"),
)
_EXCEL_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")

DATE_FIX = "请写成 2026-07-03、2026/7/3、20260703 或 2026年7月3日"
MONTH_FIX = "请写成 2026-07、202607 或 2026年7月"


class Invalid(ValueError):
    """A cell value that cannot be used; `message` says what is wrong, `fix` what to do."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.message = message
        self.fix = fix


def clean(text: str) -> str:
    """NFKC (full-width → half-width) and trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def cell_text(value: object) -> str | None:
    """An Excel cell as text (None when empty), so that every source is parsed alike.

    Whole numbers lose the `.0` Excel adds; numbers of 1e15 and more are written in scientific
    notation because Excel keeps only 15 digits, so such a code is reported, not trusted.
    """
    if type(value) is str:
        return value or None
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if abs(value) >= 1e15:
            return f"{value:E}"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def parse_code(text: str) -> str:
    """A code as text: `="0123"`, `'0123` and `510101100001.0` are unwrapped; `5.1E+11` is refused."""
    code = clean(text)
    if code.startswith('="') and code.endswith('"'):
        code = code[2:-1].strip()
    code = code.lstrip("'")
    if _SCIENTIFIC.match(code):
        raise Invalid(
            "编码已被 Excel 变成科学计数法，原来的编码无法恢复",
            "请从 V3 重新导出；若要在 Excel 中编辑，先把该列设为“文本”格式，不要直接打开 CSV 后保存",
        )
    whole = _FLOAT_INTEGER.match(code)
    return whole.group(1) if whole else code


def parse_number(text: str) -> float:
    """`1,234.50`, `１２３`, ` 12 ` → float; refuses text, units and non-finite values."""
    t = clean(text).replace(" ", "")
    if not _NUMBER.match(t):
        raise Invalid("不是数字", "请填写数字，例如 1234.50（可带千位分隔符，不要带单位或文字）")
    return float(t.replace(",", ""))


def negative() -> Invalid:
    return Invalid("不能为负数", "请核对该行；数量和金额应为 0 或正数")


# The one bound on quantities and amounts (issue 8): a cell of more than a trillion 条 or 元 is a
# wrong column or a broken export, and keeping every cell below it keeps the exact sums in
# hundredths (io/sales.py) far inside int64.
MAX_QUANTITY = 1e12


def too_large() -> Invalid:
    return Invalid(f"数值超出可处理的范围（应为不超过 {MAX_QUANTITY:,.0f} 的有限数）",
                   "请核对该单元格：多半是选错了列，或导出文件已损坏")


def quantity_issue(value: float) -> Invalid | None:
    """What is wrong with a quantity (infinite, NaN, beyond MAX_QUANTITY, negative), if anything."""
    if not math.isfinite(value) or value > MAX_QUANTITY:
        return too_large()
    return negative() if value < 0 else None


def empty(field: Field) -> Invalid:
    return Invalid(f"{field.label}为空", f"请补全{field.label}")


def parse_quantity(text: str) -> float:
    """A number that cannot be negative (every number field of data.md is a quantity)."""
    value = parse_number(text)
    issue = quantity_issue(value)
    if issue is not None:
        raise issue
    return value


def _date(year: str, month: str, day: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise Invalid("不是有效日期", DATE_FIX) from None


def parse_date(text: str) -> dt.date:
    """`2026-07-03`, `2026/7/3`, `20260703`, `2026年7月3日`, an Excel date or its serial number."""
    t = clean(text)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(t)
        if m:
            return _date(*m.group(1, 2, 3))
    if _EXCEL_SERIAL.match(t):
        return _EXCEL_EPOCH + dt.timedelta(days=int(float(t)))
    raise Invalid("不是有效日期", DATE_FIX)


def parse_month(text: str) -> str:
    """`2026-07`, `202607`, `2026年7月` or any date → `2026-07`."""
    t = clean(text)
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(t)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12:
                return f"{year:04d}-{month:02d}"
            raise Invalid("不是有效月份", MONTH_FIX)
    try:
        day = parse_date(t)
    except Invalid:
        raise Invalid("不是有效月份", MONTH_FIX) from None
    return f"{day.year:04d}-{day.month:02d}"


def _key(text: str) -> str:
    return clean(text).replace(" ", "").upper()


@dataclass(frozen=True)
class Vocabulary:
    """The values an enum field accepts: value → its spellings, the name shown first."""

    label: str
    spellings: Mapping[object, tuple[str, ...]]

    @cached_property
    def _lookup(self) -> dict[str, object]:
        return {_key(s): value for value, names in self.spellings.items() for s in names}

    def accepted(self) -> str:
        """All spellings, the shown name first, for messages."""
        return "、".join(
            f"{names[0]}（{'、'.join(names[1:])}）" if len(names) > 1 else names[0]
            for names in self.spellings.values()
        )

    def parse(self, text: str) -> object:
        try:
            return self._lookup[_key(text)]
        except KeyError:
            raise Invalid(
                f"{self.label}「{clean(text)}」不是可接受的取值",
                f"可接受的取值：{self.accepted()}；请改成其中之一（不会自动猜测）",
            ) from None


def _named(synonyms: Mapping[str, tuple[str, ...]]) -> dict[object, tuple[str, ...]]:
    return {value: (value, *others) for value, others in synonyms.items()}


VOCABULARIES: dict[str, Vocabulary] = {
    "format": Vocabulary("经营业态", _named(f.FORMAT_SYNONYMS)),
    "market": Vocabulary("市场类型", _named(f.MARKET_SYNONYMS)),
    "scale": Vocabulary("经营规模", _named(f.SCALE_SYNONYMS)),
    "status": Vocabulary("客户状态", _named(STATUSES)),
    "order_weekday": Vocabulary("订货日", f.WEEKDAY_SYNONYMS),
    "visit_cycle": Vocabulary("访销周期", _named(f.VISIT_CYCLES)),
    "visit_frequency": Vocabulary("拜访周期", _named(f.VISIT_CYCLES)),
    "visit_weekday": Vocabulary("拜访日", f.WEEKDAY_SYNONYMS),
    "price_class": Vocabulary("价类", _named(PRICE_CLASSES)),
    "key_brand": Vocabulary("是否重点品牌", KEY_BRAND),
}

_PARSERS: dict[str, Callable[[str], object]] = {
    "code": parse_code,
    "text": str.strip,
    "number": parse_quantity,
    "date": parse_date,
    "month": parse_month,
}


def parser_for(field: Field) -> Callable[[str], object]:
    """The parser of one field, with its rule for empty cells: 0 for quantities, an error when
    the field is required, else None."""
    parse = VOCABULARIES[field.name].parse if field.kind == "enum" else _PARSERS[field.kind]
    default = 0.0 if field.name in QUANTITY_FIELDS else None

    def parse_cell(text: str) -> object:
        if text.strip():
            return parse(text)
        if default is None and field.required:
            raise empty(field)
        return default

    return parse_cell
