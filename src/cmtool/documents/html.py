"""HTML documents from the Jinja templates in `templates/` (autoescape on: input is never markup).

Templates are looked up in the installed package (`cmtool/templates`, put there by the wheel),
else in the repository's top-level `templates/` folder.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

import cmtool
from cmtool.config import ScaleConfig
from cmtool.documents.cn_text import cn_date, figure_text
from cmtool.periods import Quarter

CLASS_NOTICE_TEMPLATE = "classify_notice.html.j2"


def templates_dir() -> Path:
    """The folder of the templates: installed package first, then the source tree."""
    for candidate in (Path(cmtool.__file__).parent / "templates", Path(__file__).parents[3] / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("找不到文档模板文件夹 templates，请重新安装 cmtool")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The shared Jinja environment: autoescape on, undefined names are errors."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


# Where a line could split a figure: a Chinese date or quarter (a break may fall after 年), and a
# number followed by a space and its unit. Digits themselves never break (word-break: normal).
_FIGURE = re.compile(
    r"\d{4}年(?:第\d季度|\d{1,2}月(?:\d{1,2}日)?)"
    r"|(?<![\d.,])[≥<>≤]?-?\d[\d,.]*[ \u00a0](?:条/月|条/次|元/条|条|元|户|次|个月|名|%)"
)
_TEXT_NODE = re.compile(r">([^<]+)<")


def keep_figures_whole(html: str) -> str:
    """Wrap every figure in the text of `html`'s body in a no-break span (`.nb`), so a line never
    splits a number, its unit or a date. Only text between tags is touched, and it is already
    escaped, so the spans cannot meet user markup."""
    head, tag, body = html.rpartition("<body>")

    def wrap_text(m: re.Match[str]) -> str:
        text = _FIGURE.sub(lambda f: f'<span class="nb">{f.group(0)}</span>', m.group(1))
        return f">{text}<"

    return head + tag + _TEXT_NODE.sub(wrap_text, body)


def render(template: str, **context: Any) -> str:
    """Render `template` with `context`; every value is HTML-escaped unless marked safe, and
    figures are kept whole (`keep_figures_whole`)."""
    return keep_figures_whole(environment().get_template(template).render(**context))


def _text(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _amount(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else f"{float(value):,.2f}"


def _volume(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else figure_text(float(value))


FILING_KEYS = ("department", "manager", "customer_id")


def filing_order(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` in the order notices and applications are filed and handed out: by 营销部, then
    客户经理, then 客户编码 (missing names last), so each manager takes one stack."""
    keys = [k for k in FILING_KEYS if k in frame.columns]
    return frame.sort_values(keys, na_position="last", kind="stable")


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def notices_html(
    customers: pd.DataFrame,
    *,
    quarter: Quarter,
    company: str,
    effective_from: date | None = None,
    scale: ScaleConfig | None = None,
    issued: date | None = None,
    phones: dict[str, str] | None = None,
) -> str:
    """R-NOTICE: the notices as one HTML document, one A4 page per row of `customers`.

    Each shows the customer's name and code, the new class and the old, the quarter it is based
    on, the date it takes effect (`effective_from`, default the first day of the next quarter),
    how the class is made up (with the shares of `scale`, default 20/60/20: pass the config's),
    the customer manager (with the phone of `phones`, else a line to write it in) and a line for
    the retailer's signature. `issued` is the date under the company name (a blank to fill in
    by hand when None). Who gets a notice is the caller's choice: every row given is rendered,
    in `filing_order`.
    """
    scale = scale or ScaleConfig()
    notices = [
        {
            "customer_id": _text(row.get("customer_id")),
            "name": _text(row.get("name")),
            "manager": _text(row.get("manager")),
            "phone": (phones or {}).get(_text(row.get("manager")) or ""),
            "class_name": _text(row.get("class_name")),
            "class_code": _text(row.get("class_code")),
            "previous_class": _text(row.get("previous_class")),
            "change": _text(row.get("change")),
            "volume": _volume(row.get("volume")),
            "amount": _amount(row.get("amount")),
            "scope": _text(row.get("scope")) or "全市",
        }
        for row in filing_order(customers).to_dict("records")
    ]
    return render(
        CLASS_NOTICE_TEMPLATE,
        notices=notices,
        company=company,
        quarter=quarter.label,
        effective=cn_date(effective_from or quarter.next().first_day),
        issued=cn_date(issued),
        big=_percent(scale.big),
        small=_percent(scale.small),
    )


def write_html(path: Path, html: str) -> None:
    """Write a rendered document as UTF-8 (the templates declare that charset)."""
    path.write_text(html, encoding="utf-8")
