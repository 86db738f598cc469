"""Print check (`make print-check`): render every document of the sample company to PDF and check
the printed pages as a user would get them.

Run: `.venv/bin/python tests/print_check.py [--keep DIR] [--png]`. Not part of `make test` (it needs
LibreOffice, Chromium and poppler-utils and takes a minute); it installs nothing: where a tool is
missing it says which and exits 2.

What it does
- Runs the real commands of `COMMANDS` (below) on `sample_data/` in a temporary folder, with one
  ledger for all of them (in that order) and `--json`; every .xlsx and .html a command writes (its
  JSON `outputs` and whatever else appears in its output folder) is checked. A command added later
  (dynamic, visit, plan, check, customer, analyze) needs only a line in `COMMANDS`.
- xlsx -> PDF with `soffice --headless --convert-to pdf` (a private profile, so runs don't clash);
  HTML -> PDF with `chromium --headless --print-to-pdf`, with the browser's DEFAULT header/footer
  setting (no `--no-pdf-header-footer`): a page that leaves the browser room for its header and
  footer gets the date, title, `file://` path and "1/197" printed on it, as a user would.
- Reads each page with `pdfinfo` (sizes), `pdftotext -layout` (text) and `pdftotext -bbox-layout`
  (word boxes).

Checks, per document (and, in workbooks, per sheet)
- A4: every page 595x842 pt, portrait or landscape, ±2 pt.
- 页数 pages: an HTML document prints one page per `<div class="page">` (a notice, an application):
  PDF pages == page divs. In a workbook, a sheet of one page per record (the 档案 sheets of top5:
  one page per customer file, see `per_record` in COMMANDS) prints exactly one page per record: the
  sheet's pages == its manual page breaks + 1 (no file runs onto a second page) and, summed over
  those sheets, == the number of records in the command's JSON. A list that runs onto further
  pages (`<div class="page sheet">` of the day sheets, `page marks` of the 标注表) prints at least
  one page per div.
- 一页宽 one page wide (workbooks): structurally, every sheet is set to fit one page wide
  (fitToPage, fitToWidth 1). On the rendered pages: LibreOffice prints the columns that do not fit
  on further pages, which then hold only the right-hand columns. So each page of a sheet must show
  at least one text of the sheet's leftmost column (a text found only in that column, e.g. a
  customer code or a row label); a page without any is a spilled right-hand part. Pages are mapped
  to sheets with the PDF's bookmarks (LibreOffice writes one per sheet, in order).
- 标题/单位/期间 heading: every page's text holds what the document is (the file-name prefix, e.g.
  客户分类情况统计表, or its TITLES entry), the company (`company` in sample_data/cmtool.toml) and
  the period in the Chinese form the documents print (2026Q3 -> 2026年第3季度, 2026-10 -> 2026年10月,
  2026-12-02 -> 2026年12月2日; taken from the file name).
- 浏览器页眉页脚 browser header/footer (HTML): no page text holds `file://` or `.html`, and no word
  within 40 pt of the top or bottom edge looks like the browser's page counter ("1/197"), date
  ("12/2/26", "2026/12/2") or time ("21:40").
- 数字断行 split figures: in one text block, a line whose last word ends with a digit (or a digit
  and a decimal point/comma) followed by a line whose first word starts with a digit (or "."/","
  and a digit) is a figure broken across lines ("五组（4" / "0 条/月以下）", "8." / "57 条"). Table
  rows and columns of figures look the same to pdftotext, so a pair of lines whose words line up
  (left, right or centre within 1 pt, first word aside), two lines of one figure each, or a line
  that starts left of where the line above began (the next table row after the last column) is
  taken as a table and not reported.

Output: every finding (document, page, text), then a summary table; exit 0 only if every check of
every document passes, 1 otherwise, 2 when a tool is missing.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"


@dataclass(frozen=True)
class Command:
    """One cmtool command line run on the sample (global options --config/--db/--json are added).

    Placeholders: {customers} {sales} {violations} {sample} {out}. `per_record` maps a sheet-name
    prefix of a workbook to the key of the JSON list whose items each get one printed page there.
    """

    line: str
    per_record: dict[str, str] = field(default_factory=dict)


# The commands whose documents are checked, in the order they run (one ledger for all).
COMMANDS: list[Command] = [
    Command("classify --quarter 2026Q3 --customers {customers} --sales {sales} --notices changed --out {out}"),
    Command("top5 --month 2026-10 --customers {customers} --sales {sales} --out {out}",
            per_record={"档案": "members"}),
    Command("group-init --customers {customers} --out {out}"),
    Command("group-adjust --month 2026-10 --customers {customers} --sales {sales} --out {out}"),
    Command("quota-review --quarter 2026Q3 --customers {customers} --sales {sales} --out {out}"),
    Command("check --customers {customers} --sales {sales} --out {out}"),
    Command("customer print --manager 贺萍秀 --customers {customers} --sales {sales} --out {out}"),
    Command("analyze report --quarter 2026Q3 --customers {customers} --sales {sales} --out {out}"),
    Command("dynamic review --month 2026-10 --records {violations} --customers {customers} --date 2026-10-26"
            " --out {out}"),
    Command("dynamic notices --month 2026-10 --decisions {sample}/管理小组审议决定_2026-10.xlsx"
            " --customers {customers} --sales {sales} --out {out}"),
    Command("dynamic restore --date 2026-12-07 --out {out}"),
    Command("plan init --month 2026-11 --manager 丁红 --customers {customers} --out {out}"),
    Command("plan submit --month 2026-11 --manager 丁红"),
    Command("plan approve --month 2026-11 --manager 丁红 --by 王市场"),
    Command("visit --date 2026-11-04 --manager 丁红 --customers {customers} --sales {sales} --out {out}"),
    Command("plan close --month 2026-11 --manager 丁红 --out {out}"),
]

# File-name prefix -> a pattern of the title every page must show, where the printed title is not
# just the prefix (the default: the prefix itself, e.g. 分类结果告知书 in 零售客户分类结果告知书).
TITLES: dict[str, str] = {
    "组别调整申请": r"组别调[整入出]申请表",  # 零售客户组别调整申请表, 按需供货客户组别调入申请表, …
    "单户单次定量组别清理表": r"单户单次(合理)?定量组别清理表",
    "动态管理通知书": r"(客户组别调整|取消客户紧俏、控制品牌|客户暂停访销)通知书",
}

APT_LINE = "apt-get install libreoffice-calc chromium poppler-utils fonts-noto-cjk"
A4 = (595.0, 842.0)
A4_TOLERANCE = 2.0
EDGE = 40.0  # pt from the top/bottom edge where a browser prints its header/footer
ALIGN = 1.0  # pt: words this close (left, right or centre) are in one table column

CHECKS = {
    "a4": "A4",
    "pages": "页数 pages",
    "width": "一页宽 one page wide",
    "heading": "标题/单位/期间 heading",
    "browser": "浏览器页眉页脚 browser header/footer",
    "split": "数字断行 split figures",
}


# ---------------------------------------------------------------------------------------------
# Tools


@dataclass(frozen=True)
class Tools:
    soffice: str
    chromium: str
    pdftotext: str
    pdfinfo: str
    pdftoppm: str | None


def find_tools() -> Tools | None:
    """The tools, or None after saying in Chinese which are missing and how to install them."""
    def first(*names: str) -> str | None:
        return next((p for p in map(shutil.which, names) if p), None)

    found = {
        "soffice": first("soffice", "libreoffice"),
        "chromium": first("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"),
        "pdftotext": first("pdftotext"),
        "pdfinfo": first("pdfinfo"),
    }
    labels = {
        "soffice": "LibreOffice（soffice / libreoffice）",
        "chromium": "Chromium（chromium / chromium-browser / google-chrome）",
        "pdftotext": "pdftotext（poppler-utils）",
        "pdfinfo": "pdfinfo（poppler-utils）",
    }
    missing = [labels[k] for k, v in found.items() if v is None]
    if missing:
        print("打印检查需要以下程序，本机没有：" + "、".join(missing), file=sys.stderr)
        print(f"请先安装（需要管理员权限）：sudo {APT_LINE}", file=sys.stderr)
        print("print check: missing " + ", ".join(k for k, v in found.items() if v is None), file=sys.stderr)
        return None
    fc_list = shutil.which("fc-list")
    if fc_list and not subprocess.run([fc_list, ":lang=zh"], capture_output=True, text=True).stdout.strip():
        print(f"提醒：本机没有中文字体，PDF 的版面会与用户看到的不同；请安装 fonts-noto-cjk（{APT_LINE}）",
              file=sys.stderr)
    return Tools(pdftoppm=first("pdftoppm"), **found)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Running the commands


@dataclass
class Document:
    path: Path
    command: Command
    payload: dict
    pdf: Path | None = None
    error: str = ""  # why it could not be rendered or read
    pages: list[Page] = field(default_factory=list)
    sheets: list[SheetPages] = field(default_factory=list)
    findings: dict[str, list[Finding]] = field(default_factory=dict)  # check -> findings; absent: n/a
    notes: list[str] = field(default_factory=list)  # what could not be checked, not a failure


@dataclass(frozen=True)
class Finding:
    text: str
    pages: tuple[int, ...] = ()  # the pages at fault; () for the document as a whole


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Page:
    number: int  # from 1
    width: float
    height: float
    text: str = ""
    blocks: list[list[list[Word]]] = field(default_factory=list)  # block -> line -> word


@dataclass
class SheetPages:
    name: str
    first: int  # page numbers, from 1, inclusive
    last: int


def run_commands(work: Path, company_config: Path, only: list[str] | None = None) -> tuple[list[Document], list[str]]:
    """Run COMMANDS (those whose command word is in `only`, when given) in `work`; the documents
    they wrote and the failures of commands."""
    values = {
        "sample": str(SAMPLE),
        "customers": str(SAMPLE / "客户信息.xlsx"),
        "sales": str(SAMPLE / "sales"),
        "violations": str(next(SAMPLE.glob("诚信经营违约记录_*.xlsx"), SAMPLE / "诚信经营违约记录.xlsx")),
    }
    documents: list[Document] = []
    failures: list[str] = []
    for n, command in enumerate(COMMANDS, 1):
        if only and command.line.split()[0] not in only:
            continue
        out = work / "out" / f"{n:02d}_{command.line.split()[0]}"
        args = [a.format(out=out, **values) for a in shlex.split(command.line)]
        argv = [sys.executable, "-m", "cmtool", "--config", str(company_config),
                "--db", str(work / "cmtool.db"), *args, "--json"]
        print(f"运行 run: cmtool {command.line.split(' --')[0]} …", flush=True)
        done = subprocess.run(argv, cwd=work, capture_output=True, text=True, timeout=900)
        payload: dict = {}
        try:
            payload = json.loads(done.stdout) if done.stdout.strip() else {}
        except json.JSONDecodeError:
            pass
        if done.returncode != 0:
            tail = " ".join(done.stderr.strip().splitlines()[-3:])
            failures.append(f"cmtool {command.line.split()[0]} 退出码 exit {done.returncode}：{tail}")
            continue
        written = {Path(p) for p in payload.get("outputs", [])}
        written |= set(out.glob("*.xlsx")) | set(out.glob("*.html"))
        for path in sorted(p for p in written if p.suffix in (".xlsx", ".html") and p.exists()):
            documents.append(Document(path, command, payload))
    return documents, failures


# ---------------------------------------------------------------------------------------------
# Rendering


def render(documents: list[Document], tools: Tools, work: Path) -> None:
    """PDF of every document: workbooks by LibreOffice, HTML by Chromium (default print settings)."""
    pdf_dir = work / "pdf"
    pdf_dir.mkdir()
    profile = (work / "lo-profile").as_uri()
    by_folder: dict[Path, list[Document]] = {}
    for doc in documents:
        if doc.path.suffix == ".xlsx":
            by_folder.setdefault(doc.path.parent, []).append(doc)
    for folder, docs in by_folder.items():
        target = pdf_dir / folder.name
        target.mkdir()
        print(f"转换 convert: {len(docs)} 个工作簿 (LibreOffice)", flush=True)
        done = subprocess.run(
            [tools.soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(target), *(str(d.path) for d in docs)],
            capture_output=True, text=True, timeout=900)
        for doc in docs:
            pdf = target / (doc.path.stem + ".pdf")
            if pdf.exists():
                doc.pdf = pdf
            else:
                doc.error = f"LibreOffice 没有生成 PDF（退出码 {done.returncode}）：{done.stderr.strip()[-200:]}"
    for doc in documents:
        if doc.path.suffix != ".html":
            continue
        target = pdf_dir / doc.path.parent.name
        target.mkdir(exist_ok=True)
        pdf = target / (doc.path.stem + ".pdf")
        print(f"打印 print: {doc.path.name} (Chromium)", flush=True)
        done = subprocess.run(
            [tools.chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
             f"--user-data-dir={work / 'chromium-profile'}", f"--print-to-pdf={pdf}", doc.path.as_uri()],
            capture_output=True, text=True, timeout=900)
        if pdf.exists():
            doc.pdf = pdf
        else:
            doc.error = f"Chromium 没有生成 PDF（退出码 {done.returncode}）：{done.stderr.strip()[-200:]}"


# ---------------------------------------------------------------------------------------------
# Reading the PDF


def read_pages(doc: Document, tools: Tools) -> None:
    """Sizes, layout text and word boxes of every page of `doc.pdf`."""
    assert doc.pdf is not None
    info = subprocess.run([tools.pdfinfo, str(doc.pdf)], capture_output=True, text=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    sizes = subprocess.run([tools.pdfinfo, "-f", "1", "-l", str(count), str(doc.pdf)],
                           capture_output=True, text=True).stdout
    dims = {int(m[1]): (float(m[2]), float(m[3]))
            for m in re.finditer(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", sizes, re.M)}
    doc.pages = [Page(n, *dims.get(n, (0.0, 0.0))) for n in range(1, count + 1)]
    text = subprocess.run([tools.pdftotext, "-layout", "-enc", "UTF-8", str(doc.pdf), "-"],
                          capture_output=True, text=True).stdout
    for page, page_text in zip(doc.pages, text.split("\f")):
        page.text = page_text
    boxes = doc.pdf.with_suffix(".bbox.html")
    subprocess.run([tools.pdftotext, "-bbox-layout", "-enc", "UTF-8", str(doc.pdf), str(boxes)],
                   capture_output=True, text=True)
    for page, blocks in zip(doc.pages, parse_bbox(boxes.read_text(encoding="utf-8", errors="replace"))):
        page.blocks = blocks


_TAG = re.compile(r"<(page|block|line)\b|<word xMin=\"([\d.]+)\" yMin=\"([\d.]+)\" xMax=\"([\d.]+)\" "
                  r"yMax=\"([\d.]+)\">(.*?)</word>", re.S)


def parse_bbox(text: str) -> list[list[list[list[Word]]]]:
    """Pages -> blocks -> lines -> words of `pdftotext -bbox-layout` (read by pattern, so a stray
    character that is not valid XML does not stop the check)."""
    pages: list[list[list[list[Word]]]] = []
    for m in _TAG.finditer(text):
        tag = m.group(1)
        if tag == "page":
            pages.append([])
        elif tag == "block":
            pages[-1].append([])
        elif tag == "line":
            pages[-1][-1].append([])
        else:
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(2, 6))
            pages[-1][-1][-1].append(Word(html.unescape(m.group(6)), x0, y0, x1, y1))
    return pages


def pdf_objects(data: bytes) -> dict[int, bytes]:
    """Object number -> its dictionary text (up to `stream`/`endobj`). Reads the xref table that
    LibreOffice writes; falls back to scanning for `N 0 obj`."""
    offsets: dict[int, int] = {}
    start = data.rfind(b"startxref")
    m = re.match(rb"startxref\s+(\d+)", data[start:]) if start >= 0 else None
    if m and data[int(m.group(1)):int(m.group(1)) + 4] == b"xref":
        pos = int(m.group(1)) + 4
        end = data.find(b"trailer", pos)
        tokens = data[pos:end].split()
        i = 0
        while i + 1 < len(tokens):
            first, count = int(tokens[i]), int(tokens[i + 1])
            i += 2
            for k in range(count):
                off, _gen, kind = tokens[i:i + 3]
                i += 3
                if kind == b"n":
                    offsets[first + k] = int(off)
    else:
        offsets = {int(m.group(1)): m.start() for m in re.finditer(rb"(?:^|[\r\n])(\d+) 0 obj", data)}
    objects = {}
    for num, off in offsets.items():
        end = data.find(b"endobj", off)
        body = data[off:end if end >= 0 else len(data)]
        cut = body.find(b"stream")
        objects[num] = body[:cut] if cut >= 0 else body
    return objects


def pdf_string(raw: bytes) -> str:
    """A PDF string object, `<hex>` or `(literal)`, as text."""
    if raw.startswith(b"<"):
        b = bytes.fromhex(raw[1:-1].decode("ascii"))
    else:
        b = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit()
                   else {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(m.group(1), m.group(1)), raw[1:-1], flags=re.S)
    if b.startswith(b"\xfe\xff"):
        return b[2:].decode("utf-16-be", errors="replace")
    return b.decode("latin-1")


def pdf_ref(body: bytes, key: bytes) -> int | None:
    """The object number of the indirect reference `key N 0 R` in a dictionary."""
    m = re.search(re.escape(key) + rb"\s*(\d+) 0 R", body)
    return int(m.group(1)) if m else None


def sheet_starts(pdf: Path) -> list[tuple[str, int]]:
    """(sheet name, first page) from the PDF's top-level bookmarks, in page order; [] if none."""
    data = pdf.read_bytes()
    objs = pdf_objects(data)
    root = pdf_ref(data[data.rfind(b"trailer"):], b"/Root") or next(
        (n for n, b in objs.items() if b"/Type/Catalog" in b.replace(b" ", b"")), None)
    if root is None or root not in objs:
        return []
    order: list[int] = []

    def walk(num: int | None) -> None:
        body = objs.get(num or -1, b"")
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body)
        if kids:
            for kid in re.findall(rb"(\d+) 0 R", kids.group(1)):
                walk(int(kid))
        elif num is not None:
            order.append(num)

    walk(pdf_ref(objs[root], b"/Pages"))
    starts = []
    item = pdf_ref(objs.get(pdf_ref(objs[root], b"/Outlines") or -1, b""), b"/First")
    seen = set()
    while item is not None and item in objs and item not in seen:
        seen.add(item)
        body = objs[item]
        title = re.search(rb"/Title\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))", body, re.S)
        dest = re.search(rb"/D(?:est)?\s*\[\s*(\d+) 0 R", body)
        if title and dest and int(dest.group(1)) in order:
            starts.append((pdf_string(title.group(1)), order.index(int(dest.group(1))) + 1))
        item = pdf_ref(body, b"/Next")
    return sorted(starts, key=lambda s: s[1])


def map_sheets(doc: Document) -> None:
    """Which pages belong to which sheet; the whole workbook as one part if the PDF has no
    bookmarks (then the per-sheet checks say so)."""
    assert doc.pdf is not None
    starts = sheet_starts(doc.pdf)
    total = len(doc.pages)
    if not starts or starts[0][1] != 1:
        doc.sheets = [SheetPages("", 1, total)]
        return
    for (name, first), nxt in zip(starts, [*starts[1:], ("", total + 1)]):
        doc.sheets.append(SheetPages(name, first, nxt[1] - 1))


# ---------------------------------------------------------------------------------------------
# Expectations from the file name, config and workbook


def compact(text: str) -> str:
    """`text` without whitespace (pdftotext spaces out letter-spaced and justified CJK text)."""
    return re.sub(r"\s+", "", text)


def periods(stem: str) -> list[str] | None:
    """The Chinese forms of the period in a file name (None: the name has none)."""
    if m := re.search(r"(\d{4})Q([1-4])", stem):
        y, q = m.group(1), int(m.group(2))
        return [f"{y}年第{q}季度", f"{y}年第{'一二三四'[q - 1]}季度"]
    if m := re.search(r"(\d{4})-(\d{2})-(\d{2})", stem):
        y, mo, d = m.groups()
        return [f"{y}年{int(mo)}月{int(d)}日", f"{y}年{mo}月{d}日"]
    if m := re.search(r"(\d{4})-(\d{2})", stem):
        return [f"{m.group(1)}年{int(m.group(2))}月"]
    if m := re.search(r"(?<!\d)(\d{4})(?!\d)", stem):
        return [f"{m.group(1)}年"]
    return None


def title_of(stem: str) -> tuple[str, re.Pattern[str]]:
    """The document's name (its file-name prefix) and the pattern of the title its pages print."""
    prefix = stem.split("_")[0]
    return prefix, re.compile(TITLES.get(prefix, re.escape(prefix)))


FLOWING = ("sheet", "marks")  # page classes of a list that runs onto further pages (day sheet, 标注表)


def count_page_divs(path: Path) -> tuple[int, int]:
    """Elements whose class list holds `page`: (one printed page each, a flowing list of one or
    more pages each)."""
    class Counter(HTMLParser):
        n = flowing = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            classes = (dict(attrs).get("class") or "").split()
            if "page" in classes:
                if any(c in classes for c in FLOWING):
                    self.flowing += 1
                else:
                    self.n += 1

    counter = Counter()
    counter.feed(path.read_text(encoding="utf-8"))
    return counter.n, counter.flowing


@dataclass
class SheetFacts:
    fit_width: bool
    breaks: int
    anchors: set[str]  # texts of table rows found only in the leftmost used column


def sheet_facts(path: Path) -> dict[str, SheetFacts]:
    import openpyxl

    book = openpyxl.load_workbook(path)
    facts = {}
    for ws in book.worksheets:
        pr = ws.sheet_properties.pageSetUpPr
        fit = bool(pr and pr.fitToPage) and ws.page_setup.fitToWidth in (None, 1)
        wide = {(r, c) for m in ws.merged_cells.ranges if m.max_col > m.min_col
                for r in range(m.min_row, m.max_row + 1) for c in range(m.min_col, m.max_col + 1)}
        rows = [[c for c in row if c.value is not None and str(c.value).strip()] for row in ws.iter_rows()]
        left = min((c.column for row in rows for c in row), default=0)
        others = {compact(str(c.value)) for row in rows for c in row if c.column != left}
        # A title or lead line alone in its row may run on over the next columns and so be printed
        # on a right-hand page too: only cells of table rows (other cells filled) are anchors.
        anchors = {compact(c.value) for row in rows if len(row) > 1 for c in row
                   if c.column == left and isinstance(c.value, str) and (c.row, c.column) not in wide
                   and compact(c.value) and compact(c.value) not in others}
        facts[ws.title] = SheetFacts(fit, len(ws.row_breaks.brk), anchors)
    return facts


# ---------------------------------------------------------------------------------------------
# Checks


def page_ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> '1-3, 7'."""
    out: list[str] = []
    run: list[int] = []
    for n in [*numbers, -1]:
        if run and n != run[-1] + 1:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            run = []
        run.append(n)
    return ", ".join(out)


def first_line(page: Page) -> str:
    return next((line.strip() for line in page.text.splitlines() if line.strip()), "（空白页 blank）")


def sheet_of(doc: Document, number: int) -> str:
    names = [s.name for s in doc.sheets if s.name and s.first <= number <= s.last]
    return f"，工作表「{names[0]}」" if names else ""


def check_a4(doc: Document) -> list[Finding]:
    bad = [p for p in doc.pages
           if not any(abs(p.width - w) <= A4_TOLERANCE and abs(p.height - h) <= A4_TOLERANCE
                      for w, h in (A4, A4[::-1]))]
    return [Finding(f"第 {p.number} 页 {p.width:.0f}x{p.height:.0f} pt，不是 A4", (p.number,)) for p in bad]


def check_pages_html(doc: Document) -> list[Finding]:
    expected, flowing = count_page_divs(doc.path)
    if flowing:
        if len(doc.pages) < expected + flowing:
            return [Finding(f"{expected + flowing} 个 class=\"page\" 至少应印 {expected + flowing} 页，PDF 实为 {len(doc.pages)} 页")]
        return []
    if expected == 0:
        return [Finding(f"HTML 中没有 <div class=\"page\">，无法核对每份一页（PDF 共 {len(doc.pages)} 页）")]
    if expected != len(doc.pages):
        return [Finding(f"{expected} 份（{expected} 个 class=\"page\"）应印 {expected} 页，PDF 实为 {len(doc.pages)} 页")]
    return []


def check_pages_sheets(doc: Document, facts: dict[str, SheetFacts]) -> list[Finding] | None:
    """One page per record on the per-record sheets; None when the document has none."""
    if not doc.command.per_record:
        return None
    findings = []
    for prefix, key in doc.command.per_record.items():
        sheets = [s for s in doc.sheets if s.name.startswith(prefix) and s.name in facts]
        if not sheets:
            if any(name.startswith(prefix) for name in facts):
                findings.append(Finding(f"PDF 没有工作表书签，找不出工作表「{prefix}」的页"))
            continue
        printed = 0
        for s in sheets:
            pages = s.last - s.first + 1
            printed += pages
            records = facts[s.name].breaks + 1
            if pages != records:
                findings.append(Finding(
                    f"工作表「{s.name}」{records} 份（分页符 {records - 1} 个）应印 {records} 页，实为 {pages} 页"
                    f"（第 {s.first}-{s.last} 页）：有的一份印到了两页", tuple(range(s.first, s.last + 1))))
        items = doc.payload.get(key)
        if isinstance(items, list) and len(items) != printed:
            findings.append(Finding(f"「{prefix}」共 {printed} 页，命令 JSON 的 {key} 有 {len(items)} 户：应每户一页"))
    return findings


def check_width(doc: Document, facts: dict[str, SheetFacts]) -> list[Finding]:
    findings = [Finding(f"工作表「{name}」没有设为打印一页宽（fitToPage、fitToWidth=1）")
                for name, f in facts.items() if not f.fit_width]
    if doc.sheets and not doc.sheets[0].name:
        doc.notes.append("PDF 没有工作表书签，未逐页核对是否一页宽")
        return findings
    for s in doc.sheets:
        anchors = facts[s.name].anchors if s.name in facts else set()
        if not anchors:
            doc.notes.append(f"工作表「{s.name}」最左一列没有独有的文字，未逐页核对是否一页宽")
            continue
        spilled = [n for n in range(s.first, s.last + 1)
                   if not any(a in compact(doc.pages[n - 1].text) for a in anchors)]
        if spilled:
            findings.append(Finding(
                f"工作表「{s.name}」第 {page_ranges(spilled)} 页没有最左一列的内容，是右边的列另印了一页"
                f"（第 {spilled[0]} 页开头：{first_line(doc.pages[spilled[0] - 1])[:60]}）", tuple(spilled)))
    return findings


def check_heading(doc: Document, company: str) -> list[Finding]:
    name, title = title_of(doc.path.stem)
    forms = periods(doc.path.stem)
    if forms is None:
        doc.notes.append(f"文件名「{doc.path.name}」中看不出期间，未核对期间")
    wanted = [(f"标题「{name}」", title), (f"单位「{company}」", re.compile(re.escape(compact(company))))]
    if forms:
        wanted.append((f"期间「{forms[0]}」", re.compile("|".join(map(re.escape, forms)))))
    findings = []
    for what, pattern in wanted:
        missing = [p.number for p in doc.pages if not pattern.search(compact(p.text))]
        if missing:
            findings.append(Finding(
                f"{len(missing)} 页缺{what}：第 {page_ranges(missing)} 页{sheet_of(doc, missing[0])}"
                f"（第 {missing[0]} 页开头：{first_line(doc.pages[missing[0] - 1])[:60]}）", tuple(missing)))
    return findings


BROWSER_EDGE = re.compile(r"^(\d+/\d+|\d{1,4}/\d{1,2}/\d{1,4},?|\d{1,2}:\d{2}(:\d{2})?)$")


def check_browser(doc: Document) -> list[Finding]:
    findings = []
    for page in doc.pages:
        found = [t for t in ("file://", ".html") if t in page.text]
        edge = [w.text for block in page.blocks for line in block for w in line
                if (w.y1 < EDGE or w.y0 > page.height - EDGE) and BROWSER_EDGE.match(w.text)]
        if found or edge:
            marks = list(dict.fromkeys(found + edge))
            lines = [ln.strip() for ln in page.text.splitlines() if any(t in ln for t in marks)]
            findings.append(Finding(f"第 {page.number} 页印有浏览器的页眉页脚（{'、'.join(marks)}）："
                                    + " | ".join(lines)[:100], (page.number,)))
    return findings


END_DIGIT = re.compile(r"\d[.,]?$")
START_DIGIT = re.compile(r"^([.,]\d|\d)")
FIGURE = re.compile(r"^[\d.,%:/\-]+$")


def aligned(a: Word, b: Word) -> bool:
    return (abs(a.x0 - b.x0) <= ALIGN or abs(a.x1 - b.x1) <= ALIGN
            or abs((a.x0 + a.x1) - (b.x0 + b.x1)) / 2 <= ALIGN)


def looks_like_table(l1: list[Word], l2: list[Word]) -> bool:
    """Two rows of a table or two cells of a column of figures, not one wrapped sentence."""
    if l2[0].x0 + ALIGN < l1[0].x0:
        # A wrapped line goes on where the line above began (a paragraph, a cell) or, centred, to
        # the right of it; one that starts further left is the next row read after a last column.
        return True
    if len(l1) == 1 and len(l2) == 1:
        return bool(FIGURE.match(l1[0].text) and FIGURE.match(l2[0].text))
    rest1, rest2 = l1[1:], l2[1:]
    if not rest1 or not rest2:
        return False
    matches = sum(any(aligned(w, v) for v in rest1) for w in rest2)
    return matches >= max(1, (min(len(rest1), len(rest2)) + 1) // 2)


def check_split(doc: Document) -> list[Finding]:
    findings = []
    for page in doc.pages:
        for block in page.blocks:
            for l1, l2 in zip(block, block[1:]):
                if not l1 or not l2:
                    continue
                w1, w2 = l1[-1], l2[0]
                if not (END_DIGIT.search(w1.text) and START_DIGIT.match(w2.text)):
                    continue
                if not 0 < w2.y0 - w1.y0 < 2.2 * max(w1.y1 - w1.y0, 1.0) or looks_like_table(l1, l2):
                    continue
                tail = " ".join(w.text for w in l1)[-30:]
                head = " ".join(w.text for w in l2)[:30]
                findings.append(Finding(f"第 {page.number} 页{sheet_of(doc, page.number)}："
                                        f"「{tail}」/「{head}」", (page.number,)))
    return findings


def check(doc: Document, company: str) -> None:
    if doc.path.suffix == ".xlsx":
        map_sheets(doc)
    doc.findings["a4"] = check_a4(doc)
    doc.findings["heading"] = check_heading(doc, company)
    doc.findings["split"] = check_split(doc)
    if doc.path.suffix == ".html":
        doc.findings["pages"] = check_pages_html(doc)
        doc.findings["browser"] = check_browser(doc)
    else:
        facts = sheet_facts(doc.path)
        per_record = check_pages_sheets(doc, facts)
        if per_record is not None:
            doc.findings["pages"] = per_record
        doc.findings["width"] = check_width(doc, facts)


# ---------------------------------------------------------------------------------------------
# Report

SHOWN = 15  # findings printed per check and document; the rest are counted


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, n: int) -> str:
    return text + " " * max(0, n - display_width(text))


def cell(findings: list[Finding] | None) -> str:
    """✓, — (not applicable) or ✗ and how many pages fail (or how many findings)."""
    if findings is None:
        return "—"
    if not findings:
        return "✓"
    pages = {n for f in findings for n in f.pages}
    return f"✗ {len(pages)}页" if pages else f"✗ {len(findings)}"


def report(documents: list[Document], failures: list[str]) -> bool:
    print()
    for doc in documents:
        if doc.error:
            print(f"✗ {doc.path.name}：{doc.error}")
        for key, findings in doc.findings.items():
            for f in findings[:SHOWN]:
                print(f"✗ {doc.path.name} [{CHECKS[key]}] {f.text}")
            if len(findings) > SHOWN:
                print(f"✗ {doc.path.name} [{CHECKS[key]}] …… 另有 {len(findings) - SHOWN} 处 (more)")
        for note in doc.notes:
            print(f"· {doc.path.name}：{note}")
    for f in failures:
        print(f"✗ 命令失败 command failed：{f}")
    rows = [("文档 document", "页数 pages", *(CHECKS[k].split()[0] for k in CHECKS), "结果 result")]
    all_ok = not failures
    for doc in documents:
        cells = [cell(doc.findings.get(k)) for k in CHECKS]
        passed = sum(c == "✓" for c in cells)
        failed = sum(c.startswith("✗") for c in cells)
        ok = not doc.error and failed == 0
        all_ok &= ok
        result = ("未能检查 ERROR" if doc.error else
                  f"通过 pass {passed}/{passed}" if ok else f"未通过 FAIL {failed}/{passed + failed}")
        rows.append((doc.path.name, str(len(doc.pages)), *cells, result))
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    print()
    print("打印检查汇总 print check summary（✓ 通过 pass；✗ n页 有 n 页未通过 n pages fail；— 不适用 n/a）")
    for i, row in enumerate(rows):
        print("  ".join(pad(c, w) for c, w in zip(row, widths)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("全部通过 all checks passed" if all_ok else "有未通过的检查 some checks FAILED（详见上文 see above）")
    return all_ok


def keep(documents: list[Document], target: Path, tools: Tools, png: bool) -> None:
    """Copy the documents and their PDFs (and page images) to `target` for a person to look at."""
    target.mkdir(parents=True, exist_ok=True)
    for doc in documents:
        shutil.copy2(doc.path, target / doc.path.name)
        if doc.pdf:
            shutil.copy2(doc.pdf, target / doc.pdf.name)
            if png and tools.pdftoppm:
                images = target / "png"
                images.mkdir(exist_ok=True)
                subprocess.run([tools.pdftoppm, "-png", "-r", "60", str(doc.pdf), str(images / doc.pdf.stem)],
                               capture_output=True, timeout=900)
    print(f"文档与 PDF 已保存到 kept in：{target}" + ("（每页的图片在 png/）" if png and tools.pdftoppm else ""))


def main() -> int:
    parser = argparse.ArgumentParser(description="把示例数据的每份文档打印成 PDF 并逐页检查（make print-check）")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="把文档和 PDF 保存到这个文件夹，便于人工查看")
    parser.add_argument("--png", action="store_true", help="与 --keep 一起用：每页另存一张 PNG 图片（pdftoppm）")
    parser.add_argument("--only", nargs="+", metavar="COMMAND", help="只运行这些命令（如 visit plan），依次共用一个台账")
    args = parser.parse_args()
    tools = find_tools()
    if tools is None:
        return 2
    from cmtool.config import load_config

    config = SAMPLE / "cmtool.toml"
    company = load_config(config).company
    with tempfile.TemporaryDirectory(prefix="cmtool-print-") as tmp:
        work = Path(tmp)
        documents, failures = run_commands(work, config, args.only)
        render(documents, tools, work)
        for doc in documents:
            if doc.pdf is None:
                continue
            try:
                read_pages(doc, tools)
                check(doc, company)
            except Exception as e:  # an unreadable PDF is reported, it does not stop the check
                doc.error = f"无法读取 PDF：{type(e).__name__}: {e}"
        ok = report(documents, failures)
        if args.keep:
            keep(documents, args.keep.resolve(), tools, args.png)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
