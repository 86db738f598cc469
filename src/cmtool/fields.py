"""The domain vocabulary: canonical fields, the headers accepted for them, and value synonyms.

Sources: the data spec (headers) and the R-CLASS values (docs/rules.md). Loaders map
file headers to these canonical names; rules only ever see canonical names and values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["code", "text", "number", "date", "month", "enum"]

# R-CLASS: the seven 经营业态, two 市场类型 and three 经营规模, canonical spelling first.
FORMATS: tuple[str, ...] = ("食杂店", "便利店", "超市", "商场", "烟酒商店", "娱乐服务类", "其他")
MARKETS: tuple[str, ...] = ("城镇", "乡村")
SCALES: tuple[str, ...] = ("大", "中", "小")

FORMAT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "食杂店": ("食杂", "杂货店"),
    "便利店": ("便利",),
    "超市": ("大型超市", "仓储式超市", "连锁超市"),
    "商场": ("百货商场", "购物中心"),
    "烟酒商店": ("烟酒店", "烟酒专卖店", "烟酒专营店"),
    "娱乐服务类": ("娱乐服务", "娱乐场所", "宾馆酒店", "餐饮娱乐"),
    "其他": ("其它",),
}
MARKET_SYNONYMS: dict[str, tuple[str, ...]] = {
    "城镇": ("城网", "城市", "城区"),
    "乡村": ("农网", "农村"),
}
SCALE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "大": ("大户", "规模大"),
    "中": ("中户", "规模中"),
    "小": ("小户", "规模小"),
}

# data.md: 正常/有效 are active, 注销/歇业/停业 are not, 暂停 is active.
ACTIVE_STATUSES: tuple[str, ...] = ("正常", "有效", "暂停")
INACTIVE_STATUSES: tuple[str, ...] = ("注销", "歇业", "停业")

WEEKDAY_SYNONYMS: dict[int, tuple[str, ...]] = {
    i + 1: (f"周{c}", f"星期{c}", str(i + 1)) for i, c in enumerate("一二三四五六日")
}
WEEKDAY_SYNONYMS[7] += ("周天", "星期天")
VISIT_CYCLES: dict[str, tuple[str, ...]] = {
    "每周": ("一周", "周", "每周一次"),
    "双周": ("两周", "每两周", "隔周"),
    "每月": ("月", "每月一次"),
}
TOTAL_ROW_MARKERS: tuple[str, ...] = ("合计", "总计", "小计", "汇总")


@dataclass(frozen=True)
class Field:
    """A canonical field: its name, whether a file must have it, its kind and accepted headers."""

    name: str
    required: bool
    kind: Kind
    aliases: tuple[str, ...]
    label: str  # the Chinese name used in messages and outputs


def _f(name: str, required: bool, kind: Kind, *aliases: str) -> Field:
    return Field(name, required, kind, aliases, aliases[0])


CUSTOMER_FIELDS: tuple[Field, ...] = (
    _f("customer_id", True, "code", "客户编码", "客户代码", "零售户编码", "客户编号"),
    _f("name", True, "text", "客户名称", "零售户名称", "店名", "商户名称"),
    _f("format", True, "enum", "经营业态", "业态"),
    _f("market", True, "enum", "市场类型", "城乡类型", "城网/农网"),
    _f("manager", True, "text", "客户经理"),
    _f("department", False, "text", "营销部", "所属营销部", "部门"),
    _f("license_no", False, "code", "许可证号", "专卖证号"),
    _f("scale", False, "enum", "经营规模", "规模"),
    _f("class_name", False, "text", "综合分类", "客户分类", "客户类别"),
    _f("group", False, "text", "客户组别", "总量组别", "组别"),
    _f("quota_group", False, "text", "定量组别", "单户单次定量组别", "限量组别"),
    _f("status", False, "enum", "客户状态", "状态"),
    _f("joined", False, "date", "入网日期", "建档日期"),
    _f("order_weekday", False, "enum", "订货日", "访销日"),
    _f("visit_cycle", False, "enum", "访销周期", "订货周期"),
    _f("expected_monthly", False, "number", "月预计销量"),
    _f("phone", False, "text", "订货电话", "联系电话"),
    _f("address", False, "text", "经营地址", "地址"),
    _f("visit_frequency", False, "enum", "拜访周期", "拜访频次", "拜访频率"),
    _f("visit_weekday", False, "enum", "拜访日"),
    _f("visit_mode", False, "text", "拜访方式"),
    _f("route", False, "text", "送货线路", "线路"),
    _f("route_order", False, "text", "线路顺序", "送货顺序"),
    _f("contact", False, "text", "联系人"),
)

# The other base fields of manual 第三章 一(一)2(2), kept as text for the customer card (R-CARD)
# and compared between masters (R-INFO 3).
OTHER_BASE_FIELDS: tuple[Field, ...] = (
    _f("night_shop", False, "text", "是否夜店"),
    _f("law_abiding", False, "text", "守法情况"),
    _f("opening_hours", False, "text", "营业时间"),
    _f("terminal", False, "text", "信息终端"),
    _f("signboard", False, "text", "门头标识"),
    _f("settlement", False, "text", "结算方式"),
    _f("trade_area", False, "text", "商圈类型"),
    _f("brands_shown", False, "text", "品牌出样个数"),
    _f("order_method", False, "text", "订货方式"),
    _f("delivery_method", False, "text", "送货方式"),
    _f("delivery_time", False, "text", "送货时间"),
    _f("chain", False, "text", "是否连锁"),
    _f("organisation", False, "text", "组织形式"),
    _f("footfall", False, "text", "客流量"),
    _f("facilities", False, "text", "经营设施类型"),
)
CUSTOMER_FIELDS += OTHER_BASE_FIELDS

MONTHLY_SALES_FIELDS: tuple[Field, ...] = (
    _f("customer_id", True, "code", "客户编码", "客户代码", "零售户编码", "客户编号"),
    _f("month", True, "month", "月份", "年月", "统计月份"),
    _f("volume", True, "number", "购进量", "销量", "订购量", "数量"),
    _f("amount", True, "number", "购进额", "销售额", "金额"),
    _f("orders", False, "number", "订货次数"),
)

ORDER_LINE_FIELDS: tuple[Field, ...] = (
    _f("customer_id", True, "code", "客户编码", "客户代码", "零售户编码", "客户编号"),
    _f("date", True, "date", "订单日期", "订货日期", "日期"),
    _f("sku", True, "code", "卷烟编码", "商品编码"),
    _f("sku_name", False, "text", "卷烟名称", "品规", "规格名称"),
    _f("volume", True, "number", "购进量", "销量", "订购量", "数量"),
    _f("amount", True, "number", "购进额", "销售额", "金额"),
    _f("price_class", False, "enum", "价类"),
    _f("key_brand", False, "enum", "是否重点品牌"),
    _f("demand", False, "number", "需求量"),
)

BREACH_FIELDS: tuple[Field, ...] = (
    _f("customer_id", True, "code", "客户编码", "客户代码", "零售户编码", "客户编号"),
    _f("date", True, "date", "日期", "违约日期", "检查日期"),
    _f("breach_type", True, "text", "违约类型", "违规类型"),
    _f("detail", False, "text", "说明", "违约情况"),
)

DECISION_FIELDS: tuple[Field, ...] = (
    _f("customer_id", True, "code", "客户编码", "客户代码", "零售户编码", "客户编号"),
    _f("measure", True, "text", "措施", "处理措施", "审议决定"),
    _f("term", False, "text", "期限"),
    _f("remark", False, "text", "备注"),
)

# `dynamic signed`: which notices came back signed (措施 optional: all the customer's open ones).
SIGNED_FIELDS: tuple[Field, ...] = (
    _f("customer_id", True, "code", "客户编码", "客户代码", "零售户编码", "客户编号"),
    _f("measure", False, "text", "措施", "处理措施"),
    _f("date", False, "date", "签收日期", "签字日期", "日期"),
)

# R-PLAN: the plan workbook read back by `plan update`, and marks (a marks file or filled-in day
# sheets) read by `plan mark`. 拜访情况 is the day sheet's note column.
PLAN_EDIT_FIELDS: tuple[Field, ...] = (
    _f("customer_id", True, "code", "客户编码", "客户代码", "零售户编码", "客户编号"),
    _f("action", True, "text", "营销动作", "动作"),
)

MARK_FIELDS: tuple[Field, ...] = (  # a row without 标注 is not marked (yet): skipped
    _f("customer_id", True, "code", "客户编码", "客户代码", "零售户编码", "客户编号"),
    _f("action", False, "text", "营销动作", "动作"),
    _f("mark", False, "text", "标注"),
    _f("temporary", False, "text", "临时"),
    _f("note", False, "text", "说明", "拜访情况"),
)

def field_names() -> set[str]:
    """Every canonical field name of every table above (config aliases must name one of them)."""
    return {fd.name for value in list(globals().values()) if isinstance(value, tuple)
            for fd in value if isinstance(fd, Field)}
