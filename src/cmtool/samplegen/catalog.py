"""Static vocabulary of the sample company: departments, names, formats, cigarettes, breaches."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Department:
    """A 营销部: name, district (its 行政区划代码 starts each 客户编码), area (for addresses),
    share of 城镇 customers, and the streets or towns of its addresses and shop names."""

    name: str
    district: str
    area: str
    urban_share: float
    streets: tuple[str, ...]


# The first four make up a 2,000-customer sample; larger samples add more departments.
DEPARTMENTS: tuple[Department, ...] = (
    Department("锦江营销部", "510104", "锦江区", 0.80, ("春熙路", "红星路", "盐市口", "东大街", "牛市口", "琉璃场", "三圣乡")),
    Department("青羊营销部", "510105", "青羊区", 0.80, ("草市街", "太升路", "抚琴路", "光华村", "苏坡", "文家场", "黄田坝")),
    Department("金牛营销部", "510106", "金牛区", 0.75, ("营门口", "九里堤", "茶店子", "沙湾", "天回镇", "金泉", "西华")),
    Department("双流营销部", "510116", "双流区", 0.15, ("东升", "九江", "黄水", "彭镇", "永安", "黄甲", "公兴", "籍田")),
    Department("武侯营销部", "510107", "武侯区", 0.80, ("玉林", "桐梓林", "红牌楼", "簇桥", "金花", "机投", "华兴")),
    Department("成华营销部", "510108", "成华区", 0.75, ("建设路", "猛追湾", "二仙桥", "龙潭", "青龙场", "保和", "圣灯")),
    Department("龙泉驿营销部", "510112", "龙泉驿区", 0.45, ("龙泉", "大面", "十陵", "洛带", "西河", "同安", "柏合")),
    Department("新都营销部", "510114", "新都区", 0.40, ("新都", "大丰", "三河", "斑竹园", "军屯", "新繁", "清流")),
    Department("温江营销部", "510115", "温江区", 0.45, ("柳城", "公平", "涌泉", "天府", "永宁", "万春", "寿安")),
    Department("郫都营销部", "510117", "郫都区", 0.35, ("郫筒", "犀浦", "红光", "安德", "唐昌", "友爱", "团结")),
    Department("新津营销部", "510118", "新津区", 0.25, ("五津", "花源", "花桥", "普兴", "兴义", "安西", "宝墩")),
    Department("简阳营销部", "512081", "简阳市", 0.15, ("简城", "射洪坝", "石桥", "三星", "平泉", "东溪", "禾丰")),
)

# Shares of the seven 业态 (fields.FORMATS order) and the median monthly volume (条) of a 城镇
# customer of each; 乡村 customers buy RURAL_FACTOR of that.
FORMAT_SHARES: dict[str, float] = {
    "食杂店": 0.55, "便利店": 0.15, "超市": 0.08, "商场": 0.02,
    "烟酒商店": 0.10, "娱乐服务类": 0.06, "其他": 0.04,
}
FORMAT_MEDIAN_VOLUME: dict[str, float] = {
    "食杂店": 45, "便利店": 80, "超市": 170, "商场": 240,
    "烟酒商店": 210, "娱乐服务类": 35, "其他": 25,
}
RURAL_FACTOR = 0.65
# Where a customer's purchases sit on the price scale: 0 = all 一类 … 4 = all 五类 (城镇 value).
FORMAT_PRICE_TILT: dict[str, float] = {
    "食杂店": 2.1, "便利店": 1.6, "超市": 1.4, "商场": 1.1,
    "烟酒商店": 0.9, "娱乐服务类": 1.4, "其他": 2.4,
}
RURAL_PRICE_SHIFT = 0.6

# Monthly seasonality by calendar month: stocking up before the Spring Festival (17 Feb 2026)
# falls in January and early February; Mid-Autumn and National Day lift September.
SEASONALITY: dict[int, float] = {
    1: 1.30, 2: 1.12, 3: 0.85, 4: 0.95, 5: 1.00, 6: 0.95,
    7: 1.00, 8: 1.00, 9: 1.08, 10: 1.00, 11: 0.97, 12: 1.05,
}

SURNAMES = tuple(
    "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曾肖田董潘袁蔡蒋余杜叶程魏"
    "苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
    "龚邵万覃武钱戴严莫孔向常汤"
)
GIVEN_CHARS = tuple("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰萍红建文云飞鹏辉波宇浩凯琳婷雪梅")
CHAINS = ("红旗连锁", "WOWO便利", "见福便利", "美宜佳", "舞东风便利")
SUPERMARKETS = ("舞东风超市", "互惠超市", "人人乐", "永辉超市", "红旗超市")
MALLS = ("伊藤洋华堂", "王府井百货", "太平洋百货", "茂业百货", "万达广场")
SHOP_WORDS = ("便民", "兴旺", "平价", "惠民", "顺发", "鑫源", "福运", "金鑫", "好运来", "万家")

# 客户名称 templates per 业态; {s} surname, {p} place, {w} shop word, {c} convenience chain,
# {k} supermarket chain, {m} mall.
NAME_TEMPLATES: dict[str, tuple[str, ...]] = {
    "食杂店": ("{s}记副食店", "{s}记食杂店", "{p}{w}副食店", "{s}姐杂货铺", "{w}食杂店", "{p}{s}家小卖部"),
    "便利店": ("{c}({p}店)", "{s}记便利店", "{p}{w}便利店", "{w}便利店({p})"),
    "超市": ("{k}({p}店)", "{p}{w}超市", "{s}氏平价超市"),
    "商场": ("{m}({p}店)", "{p}百货商场"),
    "烟酒商店": ("老{s}烟酒商行", "{s}记名烟名酒", "{p}{w}烟酒店", "{w}烟酒行"),
    "娱乐服务类": ("{p}{w}茶楼", "{p}农家乐", "{w}宾馆", "{p}KTV", "{s}家棋牌室"),
    "其他": ("{p}加油站便利店", "{p}报刊亭", "{s}记五金日杂", "{p}书报亭"),
}
# Names that test escaping in spreadsheets (a leading "=") and in HTML (markup), kept on purpose.
TRICKY_NAMES = ("=一号店", "<b>旺旺</b>便利店")

# Value spellings that V3 or colleagues use instead of the canonical ones (fields.py synonyms).
VALUE_SYNONYMS: dict[str, dict[str, str]] = {
    "market": {"城镇": "城网", "乡村": "农网"},
    "format": {"烟酒商店": "烟酒店", "食杂店": "杂货店", "娱乐服务类": "宾馆酒店"},
}

BREACH_TYPES: dict[str, float] = {"跨区域销售": 0.35, "低价倾销": 0.20, "拆包销售": 0.25, "销售非法卷烟": 0.20}
UNKNOWN_BREACH_TYPE = "未按规定明码标价"
BREACH_DETAILS: dict[str, str] = {
    "跨区域销售": "在经营地址以外发现销售本店卷烟 {n} 条",
    "低价倾销": "以低于批发价的价格销售卷烟 {n} 条",
    "拆包销售": "将整条卷烟拆包后零散销售，现场查获 {n} 条",
    "销售非法卷烟": "现场查获无合法来源卷烟 {n} 条",
    UNKNOWN_BREACH_TYPE: "部分卷烟未标价，已口头提醒",
}

PRICE_CLASSES = ("一类", "二类", "三类", "四类", "五类")

# 卷烟: (名称, 价类 index, 批发价 元/条, 重点品牌, 紧俏 (demand exceeds supply), popularity weight).
_SKU_ROWS: tuple[tuple[str, int, float, bool, bool, float], ...] = (
    ("中华(硬)", 0, 380.00, True, True, 5), ("中华(软)", 0, 600.00, True, True, 2),
    ("中华(双中支)", 0, 480.00, True, True, 2), ("娇子(宽窄五粮浓香)", 0, 330.00, True, False, 2),
    ("黄鹤楼(硬金砂)", 0, 240.00, False, False, 2), ("玉溪(中支和香)", 0, 260.00, True, False, 2),
    ("云烟(大重九)", 0, 700.00, False, True, 1), ("芙蓉王(硬)", 0, 220.00, False, False, 4),
    ("南京(九五)", 0, 880.00, False, True, 0.5), ("贵烟(跨越)", 0, 400.00, False, False, 1),
    ("苏烟(五星红杉树)", 0, 300.00, False, False, 1), ("利群(休闲云端)", 0, 460.00, False, False, 0.8),
    ("玉溪(软)", 1, 200.00, True, False, 6), ("云烟(软珍品)", 1, 190.00, True, False, 4),
    ("黄鹤楼(软蓝)", 1, 165.00, False, False, 4), ("娇子(宽窄好运)", 1, 160.00, True, False, 6),
    ("真龙(起源)", 1, 170.00, False, False, 2), ("娇子(宽窄平安)", 1, 140.00, True, False, 5),
    ("芙蓉王(蓝)", 1, 180.00, False, False, 2), ("利群(长嘴)", 1, 170.00, False, False, 2),
    ("泰山(佛光)", 1, 165.00, False, False, 1), ("南京(炫赫门)", 1, 155.00, False, False, 3),
    ("贵烟(国酒香)", 1, 150.00, False, False, 2), ("天子(中支)", 1, 175.00, False, False, 1),
    ("钻石(荷花)", 1, 185.00, False, False, 2), ("黄金叶(天叶)", 1, 196.00, False, False, 0.5),
    ("云烟(紫)", 2, 115.00, True, False, 8), ("利群(新版)", 2, 128.00, False, False, 5),
    ("娇子(X)", 2, 110.00, True, False, 6), ("红塔山(硬经典)", 2, 95.00, False, False, 4),
    ("玉溪(硬)", 2, 128.00, True, False, 4), ("真龙(海韵)", 2, 98.00, False, False, 2),
    ("黄鹤楼(硬红)", 2, 122.00, False, False, 2), ("南京(红)", 2, 108.00, False, False, 3),
    ("贵烟(福)", 2, 102.00, False, False, 2), ("双喜(硬经典)", 2, 100.00, False, False, 2),
    ("白沙(精品)", 2, 96.00, False, False, 2), ("娇子(蓝时代)", 2, 125.00, True, False, 4),
    ("长白山(777)", 2, 106.00, False, False, 1), ("好猫(长乐)", 2, 112.00, False, False, 1),
    ("七匹狼(通仙)", 2, 118.00, False, False, 1), ("红河(软甲)", 2, 92.00, False, False, 1),
    ("红塔山(软经典)", 3, 75.00, False, False, 5), ("娇子(红)", 3, 82.00, True, False, 4),
    ("云烟(软)", 3, 85.00, True, False, 5), ("红梅(软)", 3, 62.00, False, False, 3),
    ("黄果树(长征)", 3, 72.00, False, False, 3), ("白沙(硬)", 3, 68.00, False, False, 3),
    ("红金龙(硬红)", 3, 80.00, False, False, 1), ("都宝(软)", 3, 70.00, False, False, 1),
    ("大红鹰(软)", 3, 78.00, False, False, 1), ("石林(软)", 3, 65.00, False, False, 1),
    ("宽窄(天下)", 3, 88.00, True, False, 2),
    ("红梅(黄)", 4, 48.00, False, False, 3), ("红河(软88)", 4, 52.00, False, False, 3),
    ("哈德门(精品)", 4, 45.00, False, False, 2), ("游泳(软)", 4, 38.00, False, False, 1),
    ("大前门(短支)", 4, 42.00, False, False, 2), ("红双喜(软百顺)", 4, 55.00, False, False, 2),
    ("娇子(软红)", 4, 40.00, True, False, 2),
)
# The GS1 company prefix printed on the packs of each brand (the first 7 digits of 卷烟编码).
_BRAND_PREFIX: dict[str, str] = {
    "中华": "6901028", "南京": "6901028", "双喜": "6901028", "红双喜": "6901028",
    "娇子": "6901131", "宽窄": "6901131", "玉溪": "6901345", "云烟": "6901356",
    "红塔山": "6901345", "红河": "6901345", "石林": "6901356", "黄鹤楼": "6901028",
}
_DEFAULT_PREFIX = "6901028"


def _ean13(body12: str) -> str:
    """Append the EAN-13 check digit to 12 digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


def sku_table() -> pd.DataFrame:
    """The cigarette catalogue: sku (13-digit text code), sku_name, price_class (一类…五类),
    class_index (0…4), price_c (批发价 in 分 per 条), key_brand, scarce, weight."""
    rows = []
    for i, (name, cls, price, key, scarce, weight) in enumerate(_SKU_ROWS):
        brand = name.split("(")[0]
        prefix = _BRAND_PREFIX.get(brand, _DEFAULT_PREFIX)
        rows.append(
            {
                "sku": _ean13(f"{prefix}{(cls + 1) * 10000 + 137 * i % 9973:05d}"),
                "sku_name": name,
                "price_class": PRICE_CLASSES[cls],
                "class_index": cls,
                "price_c": round(price * 100),
                "key_brand": key,
                "scarce": scarce,
                "weight": weight,
            }
        )
    return pd.DataFrame(rows)
