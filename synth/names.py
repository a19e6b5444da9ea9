"""Word pools from which names, goods and places are composed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

_CORES = (
    "华信",
    "鼎盛",
    "恒通",
    "瑞丰",
    "中科",
    "宏达",
    "金桥",
    "天元",
    "博远",
    "新锐",
    "汇丰源",
    "长城",
    "东方",
    "嘉禾",
    "泰和",
    "德润",
    "安信",
    "星辰",
    "蓝海",
    "智联",
    "云帆",
    "隆昌",
    "万达兴",
    "晨光",
    "海纳",
    "九州",
    "明珠",
    "方圆",
    "正泰",
    "聚宝",
    "永盛",
    "凯悦",
    "百川",
    "弘毅",
    "卓越",
    "润泽",
    "和泰",
    "京东惠景",
    "圆迈",
    "即客思维",
    "远景",
    "思源",
)
_INDUSTRIES = (
    "科技",
    "信息技术",
    "贸易",
    "餐饮管理",
    "文化传媒",
    "建筑工程",
    "物流",
    "电子商务",
    "酒店管理",
    "医药",
    "网络科技",
    "商贸",
    "咨询服务",
    "软件",
    "印务",
    "办公设备",
    "汽车服务",
    "旅行社",
    "广告",
    "供应链管理",
    "物业管理",
    "会展服务",
    "教育科技",
)
_SUFFIXES = ("有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志文斌欣怡子轩浩然雨晨"


def company_name(rng: random.Random, city: str) -> str:
    core = rng.choice(_CORES)
    industry = rng.choice(_INDUSTRIES)
    suffix = rng.choice(_SUFFIXES)
    style = rng.random()
    if style < 0.55:
        return f"{city}{core}{industry}{suffix}"
    if style < 0.75:
        # 华信科技（上海）有限公司 style; printed with full-width brackets.
        return f"{core}{industry}（{city.removesuffix('市')}）{suffix}"
    if style < 0.9:
        return f"{core}{industry}{suffix}"
    return f"{city}{core}{industry}{suffix}{city.removesuffix('市')}分公司"


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
    return rng.choice(_SURNAMES) + given


@dataclass(frozen=True)
class Goods:
    name: str
    spec: str
    unit: str
    price_range: tuple[int, int]  # yuan, excluding tax
    rate: int  # percent
    countable: bool = True  # services often print no quantity / unit price


GOODS: tuple[Goods, ...] = (
    Goods("*计算机外部设备*无线鼠标", "M330", "个", (39, 199), 13),
    Goods("*电子计算机*笔记本电脑", "ThinkPad E14", "台", (3500, 8999), 13),
    Goods("*纸制品*复印纸", "A4 70g", "箱", (120, 260), 13),
    Goods("*文具*中性笔", "0.5mm", "盒", (12, 45), 13),
    Goods("*办公设备*激光打印机", "HL-2260D", "台", (899, 2599), 13),
    Goods("*通信设备*路由器", "AX3000", "台", (199, 699), 13),
    Goods("*日用杂品*保温杯", "500ml", "个", (39, 159), 13),
    Goods("*电线电缆*网线", "CAT6 305m", "箱", (260, 680), 13),
    Goods("*餐饮服务*餐费", "", "次", (80, 2600), 6, countable=False),
    Goods("*住宿服务*住宿费", "大床房", "晚", (260, 880), 6),
    Goods("*信息技术服务*软件开发服务", "", "项", (5000, 80000), 6, countable=False),
    Goods("*现代服务*技术服务费", "", "项", (1000, 30000), 6, countable=False),
    Goods("*经纪代理服务*代订机票服务费", "", "次", (20, 80), 6),
    Goods("*会议服务*会议费", "", "项", (2000, 20000), 6, countable=False),
    Goods("*运输服务*货物运输服务", "", "次", (30, 600), 9),
    Goods("*运输服务*客运服务费", "", "次", (20, 300), 9),
    Goods("*建筑服务*安装服务", "", "项", (500, 9000), 9, countable=False),
    Goods("*水产品*冷冻虾仁", "1kg", "袋", (45, 98), 9),
    Goods("*谷物*大米", "10kg", "袋", (59, 129), 9),
    Goods("*电信服务*宽带服务费", "", "月", (99, 399), 6),
    Goods("*物业管理服务*物业费", "", "月", (300, 3000), 6),
    Goods("*生活服务*洗衣服务", "", "次", (20, 200), 3),
    Goods("*劳务*劳务费", "", "项", (500, 8000), 3, countable=False),
    Goods("*印刷品*宣传册印刷", "A4 彩印", "本", (3, 25), 1),
)
UNITS_CN = ("个", "台", "件", "箱", "次")

# Stations, in the form printed on tickets (the 站 is printed separately).
STATIONS: tuple[tuple[str, str], ...] = (
    ("北京南", "Beijingnan"),
    ("上海虹桥", "Shanghaihongqiao"),
    ("广州南", "Guangzhounan"),
    ("深圳北", "Shenzhenbei"),
    ("杭州东", "Hangzhoudong"),
    ("南京南", "Nanjingnan"),
    ("武汉", "Wuhan"),
    ("长沙南", "Changshanan"),
    ("成都东", "Chengdudong"),
    ("西安北", "Xi'anbei"),
    ("天津西", "Tianjinxi"),
    ("郑州东", "Zhengzhoudong"),
    ("苏州", "Suzhou"),
    ("济南西", "Jinanxi"),
    ("重庆北", "Chongqingbei"),
)
AIRPORTS: tuple[tuple[str, str], ...] = (
    ("北京首都", "PEK"),
    ("北京大兴", "PKX"),
    ("上海虹桥", "SHA"),
    ("上海浦东", "PVG"),
    ("广州白云", "CAN"),
    ("深圳宝安", "SZX"),
    ("成都天府", "TFU"),
    ("杭州萧山", "HGH"),
    ("西安咸阳", "XIY"),
    ("重庆江北", "CKG"),
    ("昆明长水", "KMG"),
    ("武汉天河", "WUH"),
)
AIRLINES: tuple[tuple[str, str], ...] = (
    ("CA", "中国国际航空"),
    ("MU", "东方航空"),
    ("CZ", "南方航空"),
    ("HU", "海南航空"),
    ("ZH", "深圳航空"),
    ("3U", "四川航空"),
    ("FM", "上海航空"),
)
BUS_STOPS = ("汽车客运站", "汽车站", "客运中心", "长途汽车站", "汽车西站", "汽车南站")
TOWNS = (
    "酉阳",
    "黔江",
    "昆山",
    "太仓",
    "义乌",
    "余姚",
    "惠州",
    "东莞",
    "顺德",
    "江阴",
    "常熟",
    "慈溪",
    "南通",
    "嘉兴",
    "绍兴",
    "湖州",
    "芜湖",
    "宜昌",
    "襄阳",
    "绵阳",
)
TOLL_GATES = (
    "广州北",
    "深圳南",
    "东莞",
    "佛山",
    "杭州南",
    "宁波东",
    "苏州新区",
    "无锡",
    "嘉兴",
    "北京西",
    "廊坊",
    "天津北",
    "成都北",
    "绵阳",
    "西安东",
    "武汉西",
)
VEHICLE_PREFIXES = ("京", "沪", "粤B", "粤A", "浙A", "苏E", "川A", "鄂A", "津", "渝")

SHOP_CN = (
    "超市",
    "便利店",
    "餐厅",
    "酒家",
    "面馆",
    "火锅店",
    "咖啡",
    "烘焙坊",
    "药房",
    "书店",
    "文具店",
    "五金店",
)
SHOP_CN_CORES = ("华联", "永辉", "好邻居", "老街", "川味", "湘里", "粤香", "金谷", "悦来", "百家")
ITEMS_CN = (
    ("可口可乐330ml", (3, 5)),
    ("农夫山泉550ml", (2, 3)),
    ("康师傅红烧牛肉面", (4, 6)),
    ("宫保鸡丁", (28, 48)),
    ("鱼香肉丝", (24, 42)),
    ("米饭", (2, 4)),
    ("酸辣土豆丝", (16, 26)),
    ("拿铁咖啡", (22, 36)),
    ("可颂面包", (9, 16)),
    ("A4笔记本", (8, 25)),
    ("中性笔", (2, 6)),
    ("感冒灵颗粒", (12, 28)),
    ("鲜牛奶1L", (12, 19)),
    ("苹果", (8, 20)),
    ("毛巾", (15, 39)),
)
SHOP_EN_CORES = (
    "GOLDEN LEAF",
    "SUNRISE",
    "HAPPY BITES",
    "ORCHID",
    "PERMATA",
    "SRI MURNI",
    "KING'S",
    "BLUE OCEAN",
    "MAPLE",
    "EVERGREEN",
    "LUCKY STAR",
    "GRAND",
    "CITY",
    "FRESH MART",
)
SHOP_EN_KINDS = (
    "RESTAURANT",
    "CAFE",
    "BAKERY",
    "HARDWARE",
    "STATIONERY",
    "PHARMACY",
    "MINI MARKET",
    "TRADING",
    "BOOKSTORE",
    "KITCHEN",
)
SHOP_EN_SUFFIXES = ("SDN BHD", "SDN. BHD.", "S/B", "ENTERPRISE", "PTE LTD", "LLC", "INC")
ITEMS_EN = (
    ("NASI LEMAK", (5, 12)),
    ("TEH TARIK", (2, 4)),
    ("CHICKEN RICE", (7, 12)),
    ("LATTE", (9, 15)),
    ("CROISSANT", (4, 8)),
    ("MINERAL WATER", (1, 3)),
    ("A4 PAPER 500S", (12, 18)),
    ("BALL PEN BLUE", (1, 3)),
    ("SCREWDRIVER SET", (15, 45)),
    ("PANADOL 10S", (6, 12)),
    ("FRIED NOODLES", (6, 11)),
    ("ICED LEMON TEA", (3, 6)),
    ("CHEESE CAKE", (8, 14)),
    ("MASKING TAPE", (2, 6)),
)
# Street and city lines by receipt currency, so addresses match the money printed.
ADDRESSES_EN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "MYR": (
        (
            "JALAN SS2/24",
            "JALAN BUKIT BINTANG",
            "JALAN PUDU",
            "LORONG MAAROF",
            "JALAN IPOH",
            "JALAN KLANG LAMA",
            "TAMAN MELAWATI",
        ),
        (
            "47300 PETALING JAYA",
            "55100 KUALA LUMPUR",
            "59000 KUALA LUMPUR",
            "81300 JOHOR BAHRU",
            "43300 SERI KEMBANGAN",
            "40150 SHAH ALAM",
        ),
    ),
    "SGD": (
        ("ORCHARD ROAD", "TAMPINES AVE 4", "JURONG WEST ST 42", "ANG MO KIO AVE 3"),
        ("SINGAPORE 238801", "SINGAPORE 529510", "SINGAPORE 640638"),
    ),
    "USD": (
        ("MAIN STREET", "BROADWAY", "MARKET ST", "5TH AVENUE"),
        ("NEW YORK, NY 10001", "SAN FRANCISCO, CA 94103", "SEATTLE, WA 98101"),
    ),
}


def price_between(rng: random.Random, low: int, high: int) -> Decimal:
    """A shop-like price: whole yuan most of the time, otherwise with cents."""
    whole = rng.randint(low, high)
    if rng.random() < 0.5:
        return Decimal(whole)
    return Decimal(whole) + Decimal(rng.choice((10, 20, 50, 80, 90, 99, 5, 45))) / 100
