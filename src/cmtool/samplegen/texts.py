"""The sample's cmtool.toml and README.txt."""

from __future__ import annotations

from pathlib import Path

from cmtool.config import Band, Config
from cmtool.fields import INACTIVE_STATUSES
from cmtool.samplegen.company import Company
from cmtool.samplegen.customers import LEGACY_PREFIX
from cmtool.samplegen.scenarios import SCENARIOS

CONFIG_TOML = """\
# cmtool 配置文件（示例）。每一项都可以省略，省略的取下面写出的默认值。
# 写错的配置项名会报错，不会被悄悄忽略。

company = "示例市烟草公司"          # 印在每份文档上

[scale]                               # 经营规模：按季度购进量、购进额综合排名
big = 0.20                            # 前 20% 为“大”
small = 0.20                          # 后 20% 为“小”，其余为“中”

[top5]                                # 月销量排名前5%客户档案
share = 0.05
jump = 0.50                           # 销量比上月增长超过 50% 提示异常
wholesale_multiple = 3.0              # 超过同业态、同市场类型名单客户中位数的 3 倍：批发性质嫌疑
sku_share = 0.60                      # 单一规格超过购进量的 60%
unit_value_deviation = 0.30           # 单条值偏离同类中位数超过 30%

[groups]                              # 客户组别（条/月）
sustained_months = 3                  # 连续几个月超出组别范围才建议调整
new_customer_months = 6               # 入网不满 6 个月不得调入按需供货
on_demand = "按需供货"
on_demand_entry = 800                 # 最近几个月每月都不少于 800 条：建议调入按需供货
on_demand_exit = 400                  # 每月都少于 400 条：建议调出
bands = [                             # 下限含、上限不含
  { name = "一组", min = 400 },
  { name = "二组", min = 200, max = 400 },
  { name = "三组", min = 100, max = 200 },
  { name = "四组", min = 40,  max = 100 },
  { name = "五组", min = 0,   max = 40 },
]

[quota]                               # 单户单次合理定量组别（条/次）
sustained_months = 2
bands = [
  { name = "定量一组", min = 50 },
  { name = "定量二组", min = 25, max = 50 },
  { name = "定量三组", min = 10, max = 25 },
  { name = "定量四组", min = 0,  max = 10 },
]

[analyze]                             # 零售客户分析
big_volume_share_max = 0.50           # 橄榄型：大户购进量占比超过 50% 提示结构偏离

[dynamic]                             # 动态组别管理（诚信经营协议）
review_from_day = 21                  # 每月 21 日起审议当月违约记录
policy = [                            # 违约类型（与违约记录一致）→ 建议措施及期限
  { breach = "销售非法卷烟", measure = "暂停访销", weeks = 4 },
  { breach = "跨区域销售", measure = "组别下调", steps = 1, months = 3 },
  { breach = "低价倾销", measure = "取消紧俏控制品牌", months = 1 },
  { breach = "拆包销售", measure = "取消紧俏控制品牌", months = 1 },
]

[visit]                               # 拜访客户表
biweekly_anchor = ""                  # 双周客户的单双周：最近订货日不在拜访日时，取这个星期一所在的周，如 "2026-01-05"
monthly_week = 1                      # 每月拜访的客户：本月第几个拜访日

# 营销动作计划：零售客户分类服务标准（营销动作 → 适用的综合分类、经营规模、业态或市场类型，* 为全部）。
# 这是示例公司自己的标准（拜访时的六项服务）；省略时的默认只有前三项。
[plan]
standard = [
  { action = "规范陈列", applies = ["*"] },
  { action = "盘点库存和价格采集", applies = ["大", "中"] },
  { action = "指导经营", applies = ["中", "小"] },
  { action = "传递营销活动信息", applies = ["*"] },
  { action = "推介适销品牌", applies = ["食杂店", "便利店", "娱乐服务类", "其他"] },
  { action = "新品牌推荐和促销", applies = ["商场", "超市", "烟酒商店"] },
]

[calendar]                            # 在内置节假日日历之外补充
holidays = []                         # 法定节假日，如 ["2027-01-01"]
workdays = []                         # 周末调休上班日

[aliases]                             # 额外的表头别名
# customer_id = ["户号"]

[codes]                               # 综合分类代码用的字母
formats = { "食杂店" = "Z", "便利店" = "B", "超市" = "S", "商场" = "M", "烟酒商店" = "Y", "娱乐服务类" = "F", "其他" = "Q" }
markets = { "城镇" = "C", "乡村" = "X" }
scales = { "大" = "1", "中" = "2", "小" = "3" }
"""


def _bands(bands: list[Band], unit: str) -> str:
    """定量一组 ≥50，定量二组 25–50，… 条/次 (highest first)."""
    parts = [f"{b.name} ≥{b.min:g}" if b.max is None else
             (f"{b.name} <{b.max:g}" if b.min == 0 else f"{b.name} {b.min:g}–{b.max:g}")
             for b in sorted(bands, key=lambda b: -b.min)]
    return "，".join(parts) + f" {unit}"


def _visit_gaps(master: pd.DataFrame, newcomers: pd.Index) -> str:
    """How many established customers lack each visit field (R-VISIT: they fall back or are flagged)."""
    old = master.drop(index=newcomers)
    gaps = [(label, int(old[field].isna().sum())) for field, label in (
        ("visit_frequency", "拜访周期（按访销周期排期）"), ("visit_weekday", "拜访日（按访销日排期）"),
        ("visit_mode", "拜访方式（拜访客户表上标出“缺拜访方式”）"), ("route", "送货线路（排在线路客户之后）"))]
    monthly = int(old["visit_frequency"].eq("每月").sum())
    return ("，".join(f"{n} 户没有{label}" for label, n in gaps)
            + f"；\n    {monthly} 户乡村食杂店每月拜访一次；新入网客户都还没有")


def readme(company: Company, files: list[tuple[Path, str]]) -> str:
    """README.txt: what the folder holds, its deliberate quirks and the planted customers."""
    master = company.customers
    profile = company.profile
    new = company.newcomers
    joined_month = company.months[-1].next()
    n = len(master) - len(new)
    config = Config()
    quarter, previous = company.quarter, company.quarter.prev()
    legacy = master.loc[master["customer_id"].str.startswith("0"), "customer_id"].tolist()
    status = master["status"].value_counts()
    quarter_start = company.months.index(quarter.months[0])
    silent = int(((master["status"] == "暂停") & (profile["stop"] <= quarter_start)).sum())
    inactive = "、".join(f"{s} {int(status.get(s, 0))} 户" for s in INACTIVE_STATUSES)
    lines = [
        f"示例数据：{n} 户零售客户的虚构城市烟草公司（cmtool sample 生成，随机种子 {company.seed}），"
        f"另有 {joined_month.label}新入网的 {len(new)} 户",
        "",
        "数据全部随机生成，店名、人名、电话、地址、许可证号均为虚构。文件模仿从 V3 系统导出、",
        "又经同事转手的样子，格式各不相同；cmtool 应能原样读取，不需要手工整理。",
        "",
        "试一试：",
        f"  cmtool --db output/cmtool.db classify --quarter {quarter.key} \\",
        "      --customers 客户信息.xlsx --sales sales --out output",
        "  其他命令见 cmtool --help。",
        "",
        "文件：",
    ]
    for path, note in files:
        lines.append(f"  {path.as_posix()}" + (f"：{note}" if note else ""))
    lines += [
        "",
        "客户信息.xlsx 的特点：",
        f"  - 第 1 行是合并单元格标题“客户信息查询”，第 2 行是导出时间（{company.exported.isoformat()}），"
        "第 3 行才是表头；",
        "    数据中间有一个空行，最后一行是“合计”。",
        f"  - 客户编码是 12 位文本。原县公司移交的 {len(legacy)} 户客户编码以 {LEGACY_PREFIX} 开头"
        f"（如 {legacy[0] if legacy else '—'}），前导 0 必须保留。",
        "  - 店名“=一号店”以等号开头（写进 Excel 时不能变成公式），“<b>旺旺</b>便利店”含 HTML 标记",
        "    （网页文档里必须原样显示，不能变成粗体）。",
        "  - 少数客户的市场类型写作“城网/农网”，业态写作“烟酒店/杂货店/宾馆酒店”；两户的业态前后带空格。",
        f"  - 客户状态：正常 {int(status.get('正常', 0))} 户，暂停 {int(status.get('暂停', 0))} 户"
        f"（其中 {silent} 户整个 {quarter.key} 没有购进），{inactive}。",
        f"  - 经营规模、综合分类是按{previous.label}购进情况排名得出、{quarter.label}执行的分类；",
        f"    {previous.key} 之后入网的客户这两列为空。",
        "  - 客户组别按月销量划分（一组 ≥400，二组 200–400，三组 100–200，四组 40–100，五组 <40 条/月），",
        "    少数大户为按需供货。",
        f"  - 定量组别是 {quarter.key} 清理后、{quarter.next().months[0].first_day.isoformat()} 起执行的组别：按 {quarter.key} "
        "平均每次订货量（季度购进量 ÷ 订单明细中不同订货日期的个数）",
        f"    划分（{_bands(config.quota.bands, '条/次')}）；下面“定量上调/定量下调”的客户除外。",
        f"  - {joined_month.label}新入网的 {len(new)} 户（入网日期在最后一个购进月份之后，客户状态正常）只有访销周期和月预计销量，",
        "    还没有客户组别、定量组别、经营规模和综合分类，也没有购进。",
        "  - 拜访周期、拜访日、拜访方式、送货线路、线路顺序：大多数客户都有，少数没有（如实际数据）：",
        f"    {_visit_gaps(master, new)}。",
        "",
        "销售数据：",
        f"  - {company.summary_months[0].key} 至 {company.summary_months[-1].key} 为月度销售汇总（每月一个文件），",
        f"    {company.order_months[0].key} 至 {company.order_months[-1].key} 为订单明细（每月一个 CSV），",
        f"    {quarter.key} 的分类用订单明细。同一客户同一月份只出现在一个文件里。",
        "  - 1 月（春节前备货）购进量明显偏高，3 月偏低；订单只在客户的订货日下，法定节假日不下单，",
        "    双周访销的客户隔周订货。",
        "",
        f"诚信经营违约记录_{company.months[-1].key}.xlsx：{len(company.breaches)} 条违约记录，",
        "  其中 2 户各有两条，1 条的违约类型“未按规定明码标价”是处理办法里没有的类型（应列为待议）。",
        f"管理小组审议决定_{company.months[-1].key}.xlsx：管理小组对这些违约客户的决定（措施、期限、备注），",
        "  按处理办法的建议执行；待议的一户“不处理”，第一户跨区域销售的客户“组别下调2档”，",
        "  已是最低组别（五组）的跨区域销售客户改为“取消紧俏、控制品牌”。",
        "  试一试：cmtool dynamic review，再 dynamic notices --decisions 该文件，再 dynamic restore（见 README）。",
        "",
        "特意安排的客户（供组别调整、前5%档案等功能验证）：",
    ]
    for label, description in SCENARIOS.items():
        ids = profile.index[profile["scenario"] == label]
        codes = "、".join(master.loc[ids, "customer_id"])
        lines.append(f"  - {label}：{description}。{codes or '（本次规模下没有）'}")
    big, blank = new[master.loc[new, "expected_monthly"].fillna(0).argmax()], new[master.loc[new, "expected_monthly"].isna()]
    lines += [
        f"  - 新入网：{joined_month.label}入网，还没有客户组别和定量组别（新入网客户组别初始划分：group-init）。"
        + "、".join(master.loc[new, "customer_id"]),
        f"    其中 {master.at[big, 'customer_id']} 月预计销量 {master.at[big, 'expected_monthly']:g} 条，"
        f"也只能划入一组（新入网客户不能直接归入{config.groups.on_demand}）；",
        f"    {'、'.join(master.loc[blank, 'customer_id'])} 没有填月预计销量（应列为未能划分）。",
    ]
    return "\n".join(lines) + "\n"
