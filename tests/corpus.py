"""The bad-input corpus (issue 8, data.md "What bad input gets"): a small company that every
command reads cleanly, and each case a variant of one of its files, built into a test's tmp_path.

`CASES` holds every case: the file it replaces (`customers`, `sales` or `config`), how it is
built, and what it must get: `refuse` (exit 1, a Chinese message holding `words`, no traceback,
nothing written, ledger unchanged) or `read` (exit 0, and `check` holds on the JSON document).
`python tests/corpus.py DIR` writes the whole corpus into DIR to try it by hand.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from filemakers import csv_text, write_csv, write_parquet, write_xls, write_xlsx

CUSTOMER_HEADER = ["客户编码", "客户名称", "经营业态", "市场类型", "客户经理", "营销部", "客户状态", "订货日", "月预计销量"]
CUSTOMERS = [
    ["510101100001", "甲店", "食杂店", "城镇", "张三", "锦江营销部", "正常", "周一", "120"],
    ["510101100002", "乙店", "便利店", "城镇", "张三", "锦江营销部", "正常", "周二", "80"],
    ["510101100003", "丙店", "超市", "乡村", "李四", "双流营销部", "正常", "周三", "200"],
    ["510101100004", "丁店", "烟酒商店", "乡村", "李四", "双流营销部", "正常", "周四", "60"],
    ["510101100005", "戊店", "食杂店", "乡村", "李四", "双流营销部", "正常", "周五", "40"],
    ["510101100006", "己店", "食杂店", "城镇", "张三", "锦江营销部", "正常", "周一", "30"],
]
SALES_HEADER = ["客户编码", "月份", "购进量", "购进额", "订货次数"]
MONTHS = [f"2025-{m:02d}" for m in (10, 11, 12)] + [f"2026-{m:02d}" for m in range(1, 10)]


def sales_rows(volume: Callable[[int, int], object] | None = None) -> list[list[object]]:
    """Twelve months (2025-10 … 2026-09) of every customer; `volume(customer, month)` overrides."""
    rows: list[list[object]] = []
    for m, month in enumerate(MONTHS):
        for c, customer in enumerate(CUSTOMERS):
            v = (c + 1) * 20 + m if volume is None else volume(c, m)
            rows.append([customer[0], month, v, 200 * (c + 1) + 10 * m, 4])
    return rows


def filler(n: int) -> list[list[object]]:
    """`n` rows of other customers in a month no command reads (to make a file big)."""
    return [[f"5109{i:08d}", "2024-01", 1, 10, 1] for i in range(n)]


def master_csv(path: Path, rows: list[list[object]] | None = None, header: list[str] = CUSTOMER_HEADER,
               encoding: str = "utf-8-sig") -> Path:
    return write_csv(path, [header, *(CUSTOMERS if rows is None else rows)], encoding=encoding)


def sales_csv(path: Path, rows: list[list[object]] | None = None, header: list[str] = SALES_HEADER,
              encoding: str = "utf-8-sig") -> Path:
    return write_csv(path, [header, *(sales_rows() if rows is None else rows)], encoding=encoding)


def _replace(rows: list[list[object]], i: int, column: int, value: object) -> list[list[object]]:
    out = [list(r) for r in rows]
    out[i][column] = value
    return out


# ---- builders: each writes one file into `d` and returns its path --------------------------------

def _xlsx_cells(d: Path, name: str, header: list[str], rows: list[list[object]], hook=None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "数据"
    ws.append(header)
    for r in rows:
        ws.append(r)
    if hook:
        hook(book, ws)
    path = d / name
    book.save(path)
    return path


def _customers_error_cell(d: Path) -> Path:
    return _xlsx_cells(d, "客户信息.xlsx", CUSTOMER_HEADER, _replace(CUSTOMERS, 2, 2, "#N/A"))


def _customers_formula(d: Path) -> Path:
    return _xlsx_cells(d, "客户信息.xlsx", CUSTOMER_HEADER, _replace(CUSTOMERS, 1, 1, '=A2&"店"'))


def _sales_div0(d: Path) -> Path:
    return _xlsx_cells(d, "销售.xlsx", SALES_HEADER, _replace(sales_rows(), 5, 2, "#DIV/0!"))


def _sales_formula(d: Path) -> Path:
    return _xlsx_cells(d, "销售.xlsx", SALES_HEADER, _replace(sales_rows(), 7, 3, "=C8*10"))


def _hidden_stale(d: Path) -> Path:
    """A hidden stale copy before the visible sheet: every 业态 wrong in the hidden one."""
    def hook(book, ws):
        stale = book.create_sheet("旧数据", 0)
        stale.append(CUSTOMER_HEADER)
        for r in CUSTOMERS:
            stale.append(_replace([r], 0, 2, "商场")[0])
        stale.sheet_state = "hidden"
    return _xlsx_cells(d, "客户信息.xlsx", CUSTOMER_HEADER, CUSTOMERS, hook)


def _only_hidden(d: Path) -> Path:
    def hook(book, ws):
        ws.sheet_state = "hidden"
        book.create_sheet("说明").append(["本工作簿的数据在隐藏的工作表中"])
    return _xlsx_cells(d, "客户信息.xlsx", CUSTOMER_HEADER, CUSTOMERS, hook)


def _mixed_encoding(d: Path, first: str, then: str) -> Path:
    """More than 256 KB in `first`, then one customer row in `then` (two exports pasted)."""
    head = csv_text([SALES_HEADER, *sales_rows(), *filler(9000)])
    tail = csv_text([["510101100002", "2026-09", "1", "1", "1"]]) + "合计说明：本行备注中文\r\n"
    path = d / "销售.csv"
    path.write_bytes(head.encode(first) + tail.encode(then))
    return path


def _gb_then_utf8_that_decodes_as_gb(d: Path) -> Path:
    """GBK, then a UTF-8 line that GB18030 would decode without error, as garbage."""
    word = next(a + b for a in "中国烟草店零售" for b in "中国烟草店零售"
                if _decodes((a + b).encode("utf-8"), "gb18030"))
    master = csv_text([CUSTOMER_HEADER, *CUSTOMERS]).encode("gbk")
    master += csv_text([["510101100009", "A" * 300_000, "食杂店", "城镇", "张三", "锦江营销部",
                                       "正常", "周一", "10"]]).encode("gbk")
    master += csv_text([["510101100010", word, "食杂店", "城镇", "张三", "锦江营销部", "正常", "周一", "10"]]).encode()
    path = d / "客户信息.csv"
    path.write_bytes(master)
    return path


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _cells(d: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = d / name
    path.write_bytes(text.encode(encoding))
    return path


def _master_text(rows: list[list[object]]) -> str:
    return csv_text([CUSTOMER_HEADER, *rows])


def _sales_text(rows: list[list[object]]) -> str:
    return csv_text([SALES_HEADER, *rows])


def _extra_cell(d: Path) -> Path:
    text = _master_text(CUSTOMERS).splitlines(keepends=True)
    text[3] = text[3].rstrip("\r\n") + ",多出来的\r\n"
    return _cells(d, "客户信息.csv", "".join(text))


def _missing_cells(d: Path) -> Path:
    text = _master_text(CUSTOMERS).splitlines(keepends=True)
    text[4] = "510101100004,丁店,烟酒商店\r\n"
    return _cells(d, "客户信息.csv", "".join(text))


ORDER_HEADER = ["客户编码", "订单日期", "卷烟编码", "卷烟名称", "购进量", "购进额"]


def _missing_cells_far(d: Path) -> Path:
    """Order lines, several read blocks of them (`block_size`), and a short line far down (row 4001)."""
    lines = [[r[0], f"{r[1]}-15", "6901028001", "中华(硬)", r[2], r[3]] for r in sales_rows()]
    lines += [[CUSTOMERS[0][0], "2024-01-15", "6901028002", "长" * 40, 1, 10]] * 5_000
    text = csv_text([ORDER_HEADER, *lines]).splitlines(keepends=True)
    text[4_000] = "510101100001,2024-01-15,6901028002\r\n"
    return _cells(d, "销售.csv", "".join(text))


def _long_cell(d: Path) -> Path:
    rows = _replace(CUSTOMERS, 1, 1, "长" * 3_500_000)
    return _cells(d, "客户信息.csv", _master_text(rows))


def _quoted_codes(d: Path) -> Path:
    rows = _replace(_replace(CUSTOMERS, 0, 0, "'510101100001"), 1, 0, '="510101100002"')
    return _cells(d, "客户信息.csv", _master_text(rows))


def _quoted_sales_codes(d: Path) -> Path:
    rows = [[("'" if i % 2 else '="') + r[0] + ("" if i % 2 else '"'), *r[1:]] for i, r in enumerate(sales_rows())]
    return _cells(d, "销售.csv", _sales_text(rows))


def _code_as_number_xlsx(d: Path) -> Path:
    rows = [[int(r[0]), *r[1:]] for r in CUSTOMERS]
    return write_xlsx(d / "客户信息.xlsx", [["客户信息查询"], ["导出时间：2026-10-08"], CUSTOMER_HEADER, *rows],
                      merge="A1:I1")


def _sales_xls_with_total(d: Path) -> Path:
    rows = sales_rows()
    return write_xls(d / "销售.xls", [["销售汇总"], SALES_HEADER, *rows, ["合计", "", 9999, 99999, ""]])


def _sales_parquet(d: Path, volume: object) -> Path:
    rows = sales_rows()
    columns = {h: [r[i] for r in rows] for i, h in enumerate(SALES_HEADER)}
    columns["购进量"] = [float(v) for v in columns["购进量"]]
    columns["购进量"][3] = volume
    return write_parquet(d / "销售.parquet", columns)


def _sales_volume(value: object, at: int = 4) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return _cells(d, "销售.csv", _sales_text(_replace(sales_rows(), at, 2, value)))
    return build


def _three_huge(d: Path) -> Path:
    rows = sales_rows()
    for i in (1, 2, 3):
        rows[i][3] = "9000000000000"
    return _cells(d, "销售.csv", _sales_text(rows))


def _config(text: str) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return _cells(d, "cmtool.toml", text)
    return build


def _config_folder(d: Path) -> Path:
    (d / "cmtool.toml").mkdir()
    return d / "cmtool.toml"


def _master_with(column: int, value: object, row: int = 2) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return _cells(d, "客户信息.csv", _master_text(_replace(CUSTOMERS, row, column, value)))
    return build


def _master_rows(rows: list[list[object]], header: list[str] = CUSTOMER_HEADER) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return _cells(d, "客户信息.csv", csv_text([header, *rows]))
    return build


def _sales_rows(rows: list[list[object]], header: list[str] = SALES_HEADER, name: str = "销售.csv"
                ) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        return _cells(d, name, csv_text([header, *rows]))
    return build


def _raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def build(d: Path) -> Path:
        path = d / name
        path.write_bytes(data)
        return path
    return build


def _overlap(d: Path) -> Path:
    folder = d / "sales"
    folder.mkdir()
    sales_csv(folder / "a.csv")
    sales_csv(folder / "b.csv", [r for r in sales_rows() if r[1] == "2026-09"])
    return folder


def _folder_of_months(d: Path) -> Path:
    folder = d / "sales"
    folder.mkdir()
    for month in MONTHS:
        sales_csv(folder / f"销售汇总_{month}.csv", [r for r in sales_rows() if r[1] == month], encoding="gbk")
    (folder / "~$销售汇总_2026-09.csv").write_bytes(b"\x00lock")
    return folder


def _gbk_titles_total(d: Path) -> Path:
    rows = [["客户信息查询"], ["导出时间：2026-10-08 08:30"], [], CUSTOMER_HEADER, *CUSTOMERS, [],
            ["合计", "6 户"]]
    return write_csv(d / "客户信息.csv", rows, encoding="gbk")


Q3_ROW = MONTHS.index("2026-07") * len(CUSTOMERS)  # the first customer's 2026-07 row in sales_rows()


def q3_volume(c: int) -> float:
    """The base company's 2026Q3 volume of customer `c`."""
    return float(sum((c + 1) * 20 + m for m in range(MONTHS.index("2026-07"), len(MONTHS))))


def _fullwidth_numbers(d: Path) -> Path:
    rows = _replace(sales_rows(), Q3_ROW, 2, "１,２３４.５０")
    return _cells(d, "销售.csv", _sales_text(rows))


# ---- the cases ------------------------------------------------------------------------------------

Check = Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class Case:
    """One corpus file: which input it replaces, how it is built, what it must get."""

    name: str
    replaces: str  # customers | sales | config
    build: Callable[[Path], Path]
    expect: str  # refuse | read
    words: tuple[str, ...] = ()  # in the message (refuse)
    check: Check | None = None  # on the JSON document (read)
    commands: tuple[str, ...] = field(default=())  # limit to these commands (default: all that read it)
    block_size: int | None = None  # the CSV reader's block size for this case (to test many blocks quickly)


def _population(n: int) -> Check:
    return lambda doc: doc.get("population", n) == n


def _has_ids(*ids: str) -> Check:
    """Where a command lists every customer (classify, group-init), these codes are among them."""
    def check(doc: dict[str, Any]) -> bool:
        found = {r["customer_id"] for key in ("results", "assignments", "unassigned") for r in doc.get(key, [])}
        return not found or set(ids) <= found
    return check


def _volume_of(cid: str, volume: float) -> Check:
    def check(doc: dict[str, Any]) -> bool:
        rows = [r for r in doc.get("results", []) if r["customer_id"] == cid]
        return not rows or abs(rows[0]["volume"] - volume) < 1e-6
    return check


def _formats_kept(doc: dict[str, Any]) -> bool:
    return "城镇商场大" not in {r.get("class_name") for r in doc.get("results", [])} and \
        all(v == 0 for k, v in doc.get("classes", {}).items() if "商场" in k)


C, S, K = "customers", "sales", "config"
CASES: tuple[Case, ...] = (
    # issue 8, item 3: Excel error cells and formulas without a cached value
    Case("customers_error_cell", C, _customers_error_cell, "refuse", ("#N/A", "第 4 行", "经营业态")),
    Case("customers_formula_no_value", C, _customers_formula, "refuse", ("公式", "第 3 行", "客户名称")),
    Case("sales_div0", S, _sales_div0, "refuse", ("#DIV/0!", "第 7 行", "购进量")),
    Case("sales_formula_no_value", S, _sales_formula, "refuse", ("公式", "第 9 行", "购进额")),
    # item 3: an encoding that changes after the first 256 KB
    Case("sales_utf8_then_gbk", S, lambda d: _mixed_encoding(d, "utf-8", "gbk"), "refuse", ("编码", "第 9075 行")),
    Case("sales_gbk_then_utf8", S, lambda d: _mixed_encoding(d, "gbk", "utf-8"), "refuse", ("编码", "第 9075 行")),
    Case("customers_gbk_then_utf8_decodable", C, _gb_then_utf8_that_decodes_as_gb, "refuse", ("UTF-8", "第 9 行")),
    # item 2/3: quantities out of range and sums beyond int64
    Case("sales_1e17", S, _sales_volume("1e17"), "refuse", ("超出", "第 6 行", "购进量", "1e17")),
    Case("sales_1e308", S, _sales_volume("1e308"), "refuse", ("超出", "第 6 行", "1e308")),
    Case("sales_inf", S, _sales_volume("inf"), "refuse", ("第 6 行", "inf")),
    Case("sales_nan_text", S, _sales_volume("nan"), "refuse", ("第 6 行", "nan")),
    Case("sales_parquet_inf", S, lambda d: _sales_parquet(d, float("inf")), "refuse", ("超出", "第 5 行")),
    Case("sales_three_huge_amounts", S, _three_huge, "refuse", ("超出",)),
    Case("sales_xlsx_1e16", S, lambda d: _xlsx_cells(d, "销售.xlsx", SALES_HEADER,
                                                     _replace(sales_rows(), 2, 2, 1e16)), "refuse", ("超出", "第 4 行")),
    # item 3: config
    Case("config_inf_threshold", K, _config("[top5]\njump = inf\n"), "refuse", ("top5.jump", "inf")),
    Case("config_nan_share", K, _config("[scale]\nbig = nan\n"), "refuse", ("scale.big",)),
    Case("config_alias_unknown_field", K, _config('[aliases]\nvolumee = ["条数"]\n'), "refuse", ("volumee",)),
    Case("config_is_a_folder", K, _config_folder, "refuse", ("文件夹",)),
    Case("config_not_toml", K, _config("company = \n"), "refuse", ("TOML",)),
    Case("config_unknown_key", K, _config("compnay = \"x\"\n"), "refuse", ("compnay",)),
    # item 4: a hidden stale sheet before the visible one
    Case("customers_hidden_stale_sheet", C, _hidden_stale, "read", check=_formats_kept),
    Case("customers_only_hidden_sheet", C, _only_hidden, "refuse", ("隐藏", "--sheet")),
    # item 5: rich markup in a name
    Case("customers_markup_department", C, _master_with(5, "[/]锦江营销部", 0), "read", check=_population(6)),
    Case("customers_markup_name", C, _master_with(1, "[bold]甲[/]店[/]", 0), "read", check=_population(6)),
    # item 7: messages
    Case("customers_extra_cell", C, _extra_cell, "refuse", ("第 4 行", "列数"), ),
    Case("customers_long_cell", C, _long_cell, "refuse", ("第 3 行", "太长")),
    # item 8: Excel's ways of keeping a code as text; a row with the wrong cell count
    Case("customers_quoted_codes", C, _quoted_codes, "read", check=_has_ids("510101100001", "510101100002")),
    Case("sales_quoted_codes", S, _quoted_sales_codes, "read", check=_volume_of("510101100001", q3_volume(0))),
    Case("customers_missing_cells", C, _missing_cells, "refuse", ("第 5 行", "列数")),
    Case("sales_missing_cells_far", S, _missing_cells_far, "refuse", ("第 4001 行", "列数"), block_size=64 << 10),
    # data.md: formats and quirks that must be read
    Case("customers_xlsx_title_rows_code_numbers", C, _code_as_number_xlsx, "read",
         check=_has_ids("510101100001")),
    Case("customers_gbk_titles_total_blank", C, _gbk_titles_total, "read", check=_population(6)),
    Case("sales_xls_title_total", S, _sales_xls_with_total, "read", check=_population(6)),
    Case("sales_folder_one_file_a_month", S, _folder_of_months, "read", check=_population(6)),
    Case("sales_fullwidth_thousands", S, _fullwidth_numbers, "read", check=_volume_of("510101100001", q3_volume(0) - 29 + 1234.5)),
    # data.md: what bad input gets
    Case("customers_missing_column", C, _master_rows([r[:3] + r[4:] for r in CUSTOMERS],
                                                     CUSTOMER_HEADER[:3] + CUSTOMER_HEADER[4:]), "refuse",
         ("市场类型", "客户编码")),
    Case("customers_empty_file", C, _raw("客户信息.csv", b""), "refuse", ("空",)),
    Case("customers_header_only", C, _master_rows([]), "refuse", ("没有数据行",)),
    Case("customers_csv_named_xlsx", C, _raw("客户信息.xlsx", _master_text(CUSTOMERS).encode()), "refuse",
         ("扩展名",)),
    Case("customers_html_named_xls", C, _raw("客户信息.xls", b"<html><table><tr><td>x</td></tr></table></html>"),
         "refuse", ("网页",)),
    Case("customers_random_bytes", C, _raw("客户信息.xlsx", bytes(range(256)) * 8), "refuse", ("扩展名",)),
    Case("customers_broken_zip", C, _raw("客户信息.xlsx", b"PK\x03\x04" + b"\x00" * 100), "refuse", ("Excel",)),
    Case("customers_unsupported_ending", C, _raw("客户信息.docx", b"x"), "refuse", ("不支持",)),
    Case("customers_duplicate_id", C, _master_with(0, "510101100001", 3), "refuse", ("重复", "第 2 行", "第 5 行")),
    Case("customers_unknown_format", C, _master_with(2, "小卖部"), "refuse", ("小卖部", "第 4 行", "经营业态")),
    Case("customers_unknown_market", C, _master_with(3, "郊区"), "refuse", ("郊区", "市场类型")),
    Case("customers_scientific_code", C, _master_with(0, "5.10101E+11"), "refuse", ("科学计数法", "第 4 行")),
    Case("customers_empty_name", C, _master_with(1, ""), "refuse", ("第 4 行", "客户名称")),
    Case("customers_not_utf8_nor_gbk", C, _raw("客户信息.csv", "客户编码".encode("utf-8") + b"\xff\xfe\xfa\x80" * 50),
         "refuse", ("编码",)),
    Case("sales_negative", S, _sales_volume("-5"), "refuse", ("负数", "第 6 行")),
    Case("sales_text_quantity", S, _sales_volume("十条"), "refuse", ("不是数字", "十条")),
    Case("sales_unit_in_quantity", S, _sales_volume("12条"), "refuse", ("不是数字", "12条")),
    Case("sales_bad_month", S, _sales_rows(_replace(sales_rows(), 0, 1, "2026-13")), "refuse", ("月份", "2026-13")),
    Case("sales_month_outside_period_missing", S, _sales_rows([r for r in sales_rows() if r[1] != "2026-08"]),
         "refuse", ("2026-08",), commands=("classify", "group-adjust", "quota-review", "analyze")),
    Case("sales_not_in_master", S, _sales_rows(sales_rows() + [["510101199999", "2026-09", 5, 50, 1]]), "read",
         check=_population(6)),
    Case("sales_overlap", S, _overlap, "refuse", ("重叠", "a.csv", "b.csv")),
    Case("sales_same_customer_twice", S, _sales_rows(sales_rows() + [sales_rows()[-1]]), "refuse", ("重复",)),
    Case("sales_one_row_copied_5000_times", S, _sales_rows(sales_rows() + [sales_rows()[-1]] * 5_000), "refuse",
         ("重复", "等 5000 行")),
    Case("sales_missing_column", S, _sales_rows([r[:2] + r[3:] for r in sales_rows()],
                                                SALES_HEADER[:2] + SALES_HEADER[3:]), "refuse", ("缺少",)),
    Case("sales_empty_folder", S, lambda d: (d / "sales").mkdir() or d / "sales", "refuse", ("没有可读取",)),
    Case("sales_missing_file", S, lambda d: d / "没有这个文件.csv", "refuse", ("找不到",)),
)

# which commands read which file, with the arguments that make the base company run (exit 0)
COMMANDS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "classify": (("classify", "--quarter", "2026Q3"), frozenset({C, S, K})),
    "top5": (("top5", "--month", "2026-09"), frozenset({C, S, K})),
    "group-adjust": (("group-adjust", "--month", "2026-09"), frozenset({C, S, K})),
    "quota-review": (("quota-review", "--quarter", "2026Q3"), frozenset({C, S, K})),
    "group-init": (("group-init", "--date", "2026-10-08"), frozenset({C, K})),
    "check": (("check", "--date", "2026-10-08"), frozenset({C, S, K})),
    "analyze": (("analyze", "single", "--by", "format", "--quarter", "2026Q3"), frozenset({C, S, K})),
    "customer": (("customer", "print", "--manager", "张三"), frozenset({C, S, K})),
}


def base_inputs(d: Path) -> dict[str, Path]:
    """The company every command reads cleanly."""
    d.mkdir(parents=True, exist_ok=True)
    return {C: master_csv(d / "客户信息.csv"), S: sales_csv(d / "销售.csv")}


def main(out: Path) -> None:
    """Write the base company and every case into `out` (one folder a case)."""
    base_inputs(out / "base")
    for case in CASES:
        folder = out / case.name
        folder.mkdir(parents=True, exist_ok=True)
        case.build(folder)
    print(f"{len(CASES)} cases written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))


def pairs() -> list[tuple[Case, str]]:
    """Every (case, command) to try: each case with every command that reads its kind of file."""
    return [(case, name) for case in CASES for name, (_, reads) in COMMANDS.items()
            if case.replaces in reads and (not case.commands or name in case.commands)]


def arguments(name: str, inputs: dict[str, Path], case: Case | None, built: Path | None, work: Path) -> list[str]:
    """The command line of `name` on the base company with `case`'s file in place."""
    args, reads = COMMANDS[name]
    files = dict(inputs)
    if case is not None and built is not None:
        files[case.replaces] = built
    line = [*(["--config", str(files[K])] if K in files else []), "--db", str(work / "cmtool.db"), *args,
            "--customers", str(files[C])]
    if S in reads:
        line += ["--sales", str(files[S])]
    return [*line, "--out", str(work / "output"), "--json"]


REPORTS = frozenset({"check"})  # commands whose work is listing the problems: exit 1 with the report written


def _reported(case: Case, stdout: str) -> str:
    """A report command (check) lists the problem as an error, at the row the case names."""
    import json
    import re

    errors = [p for p in json.loads(stdout).get("problems", []) if p["severity"] == "error"]
    rows = {int(m.group(1)) for w in case.words for m in [re.fullmatch(r"第 (\d+) 行", w)] if m}
    if not errors:
        return "no error in the report"
    if rows and not rows & {p["row"] for p in errors}:
        return f"report lacks row {rows}"
    return "refused"


def outcome(case: Case, command: str, run: Any) -> str:
    """`refused`, `read` or what went wrong, for one run of `case` by `command`."""
    if "Traceback" in run.stderr or "内部错误" in run.stderr:
        return "internal error"
    if case.expect == "refuse":
        if run.code != 1 or (run.stdout and command not in REPORTS):
            return f"exit {run.code} instead of 1" if run.code != 1 else "something on stdout"
        if command in REPORTS and run.stdout:  # a refused config or period never gets that far
            return _reported(case, run.stdout)
        missing = [w for w in case.words if w not in run.stderr]
        return "refused" if not missing else f"message lacks {missing}"
    if run.code != 0:
        return f"exit {run.code} instead of 0"
    import json
    return "read" if case.check is None or case.check(json.loads(run.stdout)) else "read wrongly"
