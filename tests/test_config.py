"""The config file (cli.md "The config file")."""

from pathlib import Path

import pytest

from cmtool.config import Config, load_config
from cmtool.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "cmtool.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_as_written_in_cli_md():
    c = Config()
    assert c.company == "示例市烟草公司"
    assert (c.scale.big, c.scale.small) == (0.20, 0.20)
    assert (c.top5.share, c.top5.jump, c.top5.wholesale_multiple) == (0.05, 0.50, 3.0)
    assert (c.top5.sku_share, c.top5.unit_value_deviation) == (0.60, 0.30)
    assert [(b.name, b.min, b.max) for b in c.groups.bands] == [
        ("一组", 400, None), ("二组", 200, 400), ("三组", 100, 200), ("四组", 40, 100), ("五组", 0, 40)]
    assert (c.groups.sustained_months, c.groups.new_customer_months) == (3, 6)
    assert (c.groups.on_demand, c.groups.on_demand_entry, c.groups.on_demand_exit) == ("按需供货", 800, 400)
    assert [b.name for b in c.quota.bands] == ["定量一组", "定量二组", "定量三组", "定量四组"]
    assert c.quota.sustained_months == 2
    assert c.codes.formats["食杂店"] == "Z" and c.codes.markets["乡村"] == "X" and c.codes.scales["小"] == "3"


def test_file_overrides(tmp_path):
    c = load_config(_write(tmp_path, 'company = "成都市烟草公司"\n[scale]\nbig = 0.25\n[calendar]\nholidays = ["2027-01-01"]\n'))
    assert c.company == "成都市烟草公司" and c.scale.big == 0.25 and c.scale.small == 0.20
    assert str(c.calendar.holidays[0]) == "2027-01-01"


def test_unknown_keys_are_named(tmp_path):
    with pytest.raises(ConfigError) as e:
        load_config(_write(tmp_path, "compnay = 'x'\n[scale]\nbigg = 0.3\n"))
    assert "compnay" in e.value.message and "scale.bigg" in e.value.message


def test_bad_value_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="scale.big"):
        load_config(_write(tmp_path, "[scale]\nbig = 'many'\n"))
    with pytest.raises(ConfigError, match="TOML"):
        load_config(_write(tmp_path, "[scale\n"))
    with pytest.raises(ConfigError, match="之和"):
        load_config(_write(tmp_path, "[scale]\nbig = 0.6\nsmall = 0.5\n"))


def test_missing_file_and_default_lookup(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="找不到"):
        load_config(tmp_path / "none.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CMTOOL_CONFIG", raising=False)
    assert load_config(None) == Config()
    _write(tmp_path, 'company = "本地"\n')
    assert load_config(None).company == "本地"
    other = tmp_path / "other.toml"
    other.write_text('company = "环境"\n', encoding="utf-8")
    monkeypatch.setenv("CMTOOL_CONFIG", str(other))
    assert load_config(None).company == "环境"


def test_dynamic_defaults_and_policy_checks(tmp_path):
    """R-DYN: `[dynamic]` defaults as in cli.md; a rule needs exactly one term, steps only for 组别下调."""
    c = Config().dynamic
    assert c.review_from_day == 21
    assert [(r.breach, r.measure, r.weeks, r.months, r.steps) for r in c.policy] == [
        ("销售非法卷烟", "暂停访销", 4, None, None), ("跨区域销售", "组别下调", None, 3, 1),
        ("低价倾销", "取消紧俏控制品牌", None, 1, None), ("拆包销售", "取消紧俏控制品牌", None, 1, None)]
    with pytest.raises(ConfigError, match="weeks 或 months"):
        load_config(_write(tmp_path, '[dynamic]\npolicy = [{ breach = "a", measure = "暂停访销" }]\n'))
    with pytest.raises(ConfigError, match="steps"):
        load_config(_write(tmp_path, '[dynamic]\npolicy = [{ breach = "a", measure = "暂停访销", weeks = 1, steps = 2 }]\n'))
    with pytest.raises(ConfigError, match="重复"):
        load_config(_write(tmp_path, '[dynamic]\npolicy = [{ breach = "a", measure = "暂停访销", weeks = 1 },'
                                     ' { breach = "a", measure = "暂停访销", weeks = 2 }]\n'))
    with pytest.raises(ConfigError, match="measure"):
        load_config(_write(tmp_path, '[dynamic]\npolicy = [{ breach = "a", measure = "罚款", weeks = 1 }]\n'))


def test_sample_config_is_the_default():
    """The sample's cmtool.toml spells out the defaults, [dynamic] included."""
    assert load_config(Path(__file__).resolve().parents[1] / "sample_data" / "cmtool.toml").dynamic == Config().dynamic


def test_visit_and_plan_defaults_as_in_cli_md():
    """cli.md [visit], [plan]: no anchor, first week; the three default services."""
    c = Config()
    assert c.visit.biweekly_anchor is None and c.visit.monthly_week == 1
    assert [(s.action, s.applies) for s in c.plan.standard] == [
        ("规范陈列", ["*"]), ("盘点库存和价格采集", ["大", "中"]), ("指导经营", ["中", "小"])]


def test_visit_anchor_must_be_a_monday_and_empty_means_none(tmp_path):
    assert load_config(_write(tmp_path, '[visit]\nbiweekly_anchor = ""\n')).visit.biweekly_anchor is None
    assert str(load_config(_write(tmp_path, '[visit]\nbiweekly_anchor = "2026-01-05"\n')).visit.biweekly_anchor) \
        == "2026-01-05"
    with pytest.raises(ConfigError, match="星期一"):
        load_config(_write(tmp_path, '[visit]\nbiweekly_anchor = "2026-01-06"\n'))


def test_plan_standard_names_unknown_targets_and_repeated_actions(tmp_path):
    ok = load_config(_write(tmp_path, '[plan]\nstandard = [{ action = "a", applies = ["城镇食杂店大", "便利店", "乡村"] }]\n'))
    assert ok.plan.standard[0].applies == ["城镇食杂店大", "便利店", "乡村"]
    with pytest.raises(ConfigError, match="特大"):
        load_config(_write(tmp_path, '[plan]\nstandard = [{ action = "a", applies = ["特大"] }]\n'))
    with pytest.raises(ConfigError, match="重复"):
        load_config(_write(tmp_path, '[plan]\nstandard = [{ action = "a", applies = ["*"] }, '
                                     '{ action = "a", applies = ["大"] }]\n'))
