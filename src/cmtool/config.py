"""The config file `cmtool.toml` (cli.md, "The config file") as pydantic models.

Every key is optional and defaults as written in cli.md; an unknown key is an error that names it.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

from itertools import product
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cmtool.errors import ConfigError, os_error
from cmtool.fields import FORMATS, MARKETS, SCALES, field_names


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Band(_Strict):
    """A volume band: lower bound inclusive, upper exclusive (None = no upper bound)."""

    name: str
    min: float = 0
    max: float | None = None

    def holds(self, value: float) -> bool:
        """Whether `value` is in the band: min <= value < max."""
        return self.min <= value and (self.max is None or value < self.max)


def check_bands(bands: list[Band], where: str) -> None:
    """Bands must cover 0 to infinity without gaps or overlaps, with distinct names."""
    if not bands:
        raise ValueError(f"{where} 不能为空")
    ordered = sorted(bands, key=lambda b: b.min)
    names = [b.name for b in bands]
    if len(set(names)) < len(names):
        raise ValueError(f"{where} 的组别名有重复：{'、'.join(names)}")
    if ordered[0].min != 0:
        raise ValueError(f"{where} 最低一档的下限应为 0（现为 {ordered[0].min:g}）")
    for lower, upper in zip(ordered, ordered[1:]):
        if lower.max != upper.min:
            raise ValueError(f"{where} 的「{lower.name}」上限应等于「{upper.name}」的下限 {upper.min:g}（不能有空档或重叠）")
    if ordered[-1].max is not None:
        raise ValueError(f"{where} 最高一档「{ordered[-1].name}」不应有上限 max")


class ScaleConfig(_Strict):
    """R-SCALE shares."""

    big: float = Field(0.20, ge=0, le=1)
    small: float = Field(0.20, ge=0, le=1)

    @model_validator(mode="after")
    def _fits(self) -> "ScaleConfig":
        if self.big + self.small > 1:
            raise ValueError("scale.big 与 scale.small 之和不能超过 1")
        return self


class Top5Config(_Strict):
    """R-TOP5 share and anomaly thresholds."""

    share: float = Field(0.05, gt=0, le=1)
    jump: float = 0.50
    wholesale_multiple: float = 3.0
    sku_share: float = 0.60
    unit_value_deviation: float = 0.30


def _default_group_bands() -> list[Band]:
    return [
        Band(name="一组", min=400),
        Band(name="二组", min=200, max=400),
        Band(name="三组", min=100, max=200),
        Band(name="四组", min=40, max=100),
        Band(name="五组", min=0, max=40),
    ]


def _default_quota_bands() -> list[Band]:
    return [
        Band(name="定量一组", min=50),
        Band(name="定量二组", min=25, max=50),
        Band(name="定量三组", min=10, max=25),
        Band(name="定量四组", min=0, max=10),
    ]


class GroupsConfig(_Strict):
    """R-GROUP bands and thresholds (条/月)."""

    sustained_months: int = Field(3, ge=1)
    new_customer_months: int = Field(6, ge=0)
    on_demand: str = "按需供货"
    on_demand_entry: float = 800
    on_demand_exit: float = 400
    bands: list[Band] = Field(default_factory=_default_group_bands)

    @model_validator(mode="after")
    def _valid_bands(self) -> "GroupsConfig":
        check_bands(self.bands, "groups.bands")
        if self.on_demand in {b.name for b in self.bands}:
            raise ValueError(f"groups.on_demand「{self.on_demand}」不能同时是 groups.bands 中的组别名")
        return self


class QuotaConfig(_Strict):
    """R-QUOTA bands (条 per order); `by_format` replaces `bands` for the 业态 it names."""

    sustained_months: int = Field(2, ge=1)
    bands: list[Band] = Field(default_factory=_default_quota_bands)
    by_format: dict[str, list[Band]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _valid_bands(self) -> "QuotaConfig":
        check_bands(self.bands, "quota.bands")
        unknown = sorted(set(self.by_format) - set(FORMATS))
        if unknown:
            raise ValueError(f"quota.by_format 的业态 {'、'.join(unknown)} 不认识，应为 {'、'.join(FORMATS)} 之一")
        for name, bands in self.by_format.items():
            check_bands(bands, f"quota.by_format.{name}")
        return self

    def bands_for(self, format_name: str) -> list[Band]:
        """The quota bands of a 业态: its own from `by_format`, else the company's."""
        return self.by_format.get(format_name, self.bands)


class CalendarConfig(_Strict):
    """R-CAL additions to the built-in Chinese calendar."""

    holidays: list[date] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)


class CodesConfig(_Strict):
    """The letters of class codes (R-CLASS)."""

    formats: dict[str, str] = Field(
        default_factory=lambda: {
            "食杂店": "Z", "便利店": "B", "超市": "S", "商场": "M",
            "烟酒商店": "Y", "娱乐服务类": "F", "其他": "Q",
        }
    )
    markets: dict[str, str] = Field(default_factory=lambda: {"城镇": "C", "乡村": "X"})
    scales: dict[str, str] = Field(default_factory=lambda: {"大": "1", "中": "2", "小": "3"})


class AnalyzeConfig(_Strict):
    """R-ANA: the olive-shape limit on 大's share of volume."""

    big_volume_share_max: float = Field(0.50, ge=0, le=1)


MeasureName = Literal["组别下调", "取消紧俏控制品牌", "暂停访销"]


class PolicyRule(_Strict):
    """R-DYN 1: a breach type (as written in the records) and the measure the policy proposes for
    it, for `weeks` or `months` (exactly one); 组别下调 goes down `steps` bands (default 1)."""

    breach: str
    measure: MeasureName
    weeks: int | None = Field(None, ge=1)
    months: int | None = Field(None, ge=1)
    steps: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _one_term(self) -> "PolicyRule":
        if (self.weeks is None) == (self.months is None):
            raise ValueError(f"dynamic.policy「{self.breach}」应给出 weeks 或 months 之一（期限）")
        if self.steps is not None and self.measure != "组别下调":
            raise ValueError(f"dynamic.policy「{self.breach}」：steps 只用于组别下调")
        return self


def _default_policy() -> list[PolicyRule]:
    return [
        PolicyRule(breach="销售非法卷烟", measure="暂停访销", weeks=4),
        PolicyRule(breach="跨区域销售", measure="组别下调", steps=1, months=3),
        PolicyRule(breach="低价倾销", measure="取消紧俏控制品牌", months=1),
        PolicyRule(breach="拆包销售", measure="取消紧俏控制品牌", months=1),
    ]


class DynamicConfig(_Strict):
    """R-DYN: the day of the month the review may start, and the breach policy."""

    review_from_day: int = Field(21, ge=1, le=28)
    policy: list[PolicyRule] = Field(default_factory=_default_policy)

    @model_validator(mode="after")
    def _distinct(self) -> "DynamicConfig":
        names = [r.breach for r in self.policy]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"dynamic.policy 的违约类型重复：{'、'.join(twice)}")
        return self


class VisitConfig(_Strict):
    """R-VISIT: the Monday of a visit week for 双周 customers (empty: none), the week of 每月 ones."""

    biweekly_anchor: date | None = None
    monthly_week: int = Field(1, ge=1, le=5)

    @field_validator("biweekly_anchor", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("biweekly_anchor")
    @classmethod
    def _monday(cls, value: date | None) -> date | None:
        if value is not None and value.isoweekday() != 1:
            raise ValueError(f"visit.biweekly_anchor 应为某个星期一（{value.isoformat()} 不是星期一）")
        return value


# What a service-standard entry may name: every customer, a 经营规模, a 业态, a 市场类型 or a 综合分类.
STANDARD_TARGETS: frozenset[str] = frozenset(
    {"*", *SCALES, *FORMATS, *MARKETS, *(m + f + s for m, f, s in product(MARKETS, FORMATS, SCALES))}
)


class StandardAction(_Strict):
    """One service of the standard: the action and whom it applies to (`*` for all)."""

    action: str = Field(min_length=1)
    applies: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> "StandardAction":
        unknown = [a for a in self.applies if a not in STANDARD_TARGETS]
        if unknown:
            raise ValueError(f"plan.standard「{self.action}」的 applies 中「{'、'.join(unknown)}」不认识，"
                             f"应为 *、经营规模（{'、'.join(SCALES)}）、业态、市场类型或综合分类名（如 城镇食杂店大）")
        return self


def _default_standard() -> list[StandardAction]:
    return [
        StandardAction(action="规范陈列", applies=["*"]),
        StandardAction(action="盘点库存和价格采集", applies=["大", "中"]),
        StandardAction(action="指导经营", applies=["中", "小"]),
    ]


class PlanConfig(_Strict):
    """R-PLAN: the service standard (action → the customers it applies to)."""

    standard: list[StandardAction] = Field(default_factory=_default_standard)

    @model_validator(mode="after")
    def _distinct(self) -> "PlanConfig":
        names = [s.action for s in self.standard]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"plan.standard 中营销动作重复：{'、'.join(twice)}")
        return self


class Config(_Strict):
    """The whole config file."""

    company: str = "示例市烟草公司"
    scale: ScaleConfig = Field(default_factory=ScaleConfig)
    top5: Top5Config = Field(default_factory=Top5Config)
    groups: GroupsConfig = Field(default_factory=GroupsConfig)
    quota: QuotaConfig = Field(default_factory=QuotaConfig)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    codes: CodesConfig = Field(default_factory=CodesConfig)
    manager_phones: dict[str, str] = Field(default_factory=dict)  # 客户经理 → the phone printed on notices
    analyze: AnalyzeConfig = Field(default_factory=AnalyzeConfig)
    dynamic: DynamicConfig = Field(default_factory=DynamicConfig)
    visit: VisitConfig = Field(default_factory=VisitConfig)
    plan: PlanConfig = Field(default_factory=PlanConfig)

    @model_validator(mode="after")
    def _aliases_name_fields(self) -> "Config":
        unknown = sorted(set(self.aliases) - field_names())
        if unknown:
            raise ValueError(f"[aliases] 中的字段 {'、'.join(unknown)} 不存在；可用的字段名："
                             f"{'、'.join(sorted(field_names()))}")
        return self


# pydantic's error types → Chinese (the others keep pydantic's text)
_PYDANTIC_CN = {
    "finite_number": "应为有限的数（不能是 inf 或 nan）",
    "float_parsing": "应为数字", "float_type": "应为数字", "int_parsing": "应为整数", "int_type": "应为整数",
    "int_from_float": "应为整数", "string_type": "应为文字（加引号）", "bool_type": "应为 true 或 false",
    "list_type": "应为列表 [...]", "dict_type": "应为表 {...}", "date_type": "应为日期，如 2026-10-01",
    "date_parsing": "应为日期，如 2026-10-01", "date_from_datetime_parsing": "应为日期，如 2026-10-01",
    "missing": "缺少该项",
}


def _describe(err: ValidationError, path: Path) -> ConfigError:
    lines = []
    unknown = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"])
        if e["type"] == "extra_forbidden":
            unknown.append(where)
        elif e["type"] == "value_error":  # our own validators: the message says it all
            lines.append(e["msg"].removeprefix("Value error, "))
        else:
            lines.append(f"{where}：{_PYDANTIC_CN.get(e['type'], e['msg'])}（值：{e.get('input')!r}）")
    if unknown:
        lines.insert(0, "不认识的配置项：" + "、".join(unknown))
    return ConfigError(
        f"配置文件 {path} 有误：" + "；".join(lines),
        fix="请对照 README 中的配置说明改正拼写或取值（不认识的配置项不会被忽略，以免拼写错误悄悄退回默认值）",
    )


def load_config(path: Path | None) -> Config:
    """Read `path`, else $CMTOOL_CONFIG, else ./cmtool.toml if present, else the defaults."""
    if path is None and os.environ.get("CMTOOL_CONFIG"):
        path = Path(os.environ["CMTOOL_CONFIG"])
    if path is None:
        default = Path("cmtool.toml")
        if not default.exists():
            return Config()
        path = default
    if not path.exists():
        raise ConfigError(f"找不到配置文件 {path}", fix="请检查 --config 的路径")
    if path.is_dir():
        raise ConfigError(f"配置文件 {path} 是一个文件夹", fix="请用 --config 指定 TOML 文件，如 cmtool.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise os_error(e, "读取配置文件", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"配置文件 {path} 不是有效的 TOML：{e}", fix="请用 UTF-8 保存，并检查引号与括号") from None
    try:
        return Config.model_validate(data)
    except ValidationError as e:
        raise _describe(e, path) from None
