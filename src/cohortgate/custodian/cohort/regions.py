"""China's 34 province-level divisions (GB/T 2260), with a few real districts of each capital.

The synthetic cohort draws a patient's province from these, weighted by population, and uses a
district of the provincial capital as the area code of the resident ID number and as the start
of the (clearly synthetic) address. Residents of Taiwan, Hong Kong and Macao hold residence
permits whose numbers follow GB 11643 with the area codes 830000, 810000 and 820000.
"""

from __future__ import annotations

from dataclasses import dataclass

from cohortgate.models.regions import PROVINCES as NAMES


@dataclass(frozen=True)
class Province:
    code: str  # GB/T 2260 two-digit code; the names are those of cohortgate.models.regions
    city: str  # the capital ('' for municipalities and special administrative regions)
    districts: tuple[tuple[int, str], ...]  # (six-digit area code, district name)
    population: float  # millions, 7th national census (2020); Taiwan: its own 2020 figure

    @property
    def name(self) -> str:
        return NAMES[self.code][0]


# fmt: off
PROVINCES: tuple[Province, ...] = (
    Province("11", "", ((110101, "东城区"), (110102, "西城区"), (110105, "朝阳区"),
                                  (110108, "海淀区")), 21.9),
    Province("12", "", ((120101, "和平区"), (120102, "河东区"), (120103, "河西区")),
             13.9),
    Province("13", "石家庄市", ((130102, "长安区"), (130104, "桥西区"),
                                         (130105, "新华区")), 74.6),
    Province("14", "太原市", ((140105, "小店区"), (140106, "迎泽区"),
                                       (140107, "杏花岭区")), 34.9),
    Province("15", "呼和浩特市", ((150102, "新城区"), (150103, "回民区"),
                                                 (150104, "玉泉区")), 24.0),
    Province("21", "沈阳市", ((210102, "和平区"), (210103, "沈河区"),
                                       (210104, "大东区")), 42.6),
    Province("22", "长春市", ((220102, "南关区"), (220103, "宽城区"),
                                       (220104, "朝阳区")), 24.1),
    Province("23", "哈尔滨市", ((230102, "道里区"), (230103, "南岗区"),
                                           (230104, "道外区")), 31.9),
    Province("31", "", ((310101, "黄浦区"), (310104, "徐汇区"), (310105, "长宁区"),
                                  (310106, "静安区"), (310107, "普陀区"), (310110, "杨浦区"),
                                  (310112, "闵行区"), (310115, "浦东新区")), 24.9),
    Province("32", "南京市", ((320102, "玄武区"), (320104, "秦淮区"),
                                       (320105, "建邺区")), 84.7),
    Province("33", "杭州市", ((330102, "上城区"), (330105, "拱墅区"),
                                       (330106, "西湖区")), 64.6),
    Province("34", "合肥市", ((340102, "瑶海区"), (340103, "庐阳区"),
                                       (340104, "蜀山区")), 61.0),
    Province("35", "福州市", ((350102, "鼓楼区"), (350103, "台江区"),
                                       (350104, "仓山区")), 41.5),
    Province("36", "南昌市", ((360102, "东湖区"), (360103, "西湖区"),
                                       (360104, "青云谱区")), 45.2),
    Province("37", "济南市", ((370102, "历下区"), (370103, "市中区"),
                                       (370104, "槐荫区")), 101.5),
    Province("41", "郑州市", ((410102, "中原区"), (410103, "二七区"),
                                       (410105, "金水区")), 99.4),
    Province("42", "武汉市", ((420102, "江岸区"), (420103, "江汉区"),
                                       (420106, "武昌区")), 57.8),
    Province("43", "长沙市", ((430102, "芙蓉区"), (430103, "天心区"),
                                       (430104, "岳麓区")), 66.4),
    Province("44", "广州市", ((440103, "荔湾区"), (440104, "越秀区"),
                                       (440105, "海珠区"), (440106, "天河区")), 126.0),
    Province("45", "南宁市", ((450102, "兴宁区"), (450103, "青秀区"),
                                               (450105, "江南区")), 50.1),
    Province("46", "海口市", ((460105, "秀英区"), (460106, "龙华区"),
                                       (460107, "琼山区")), 10.1),
    Province("50", "", ((500103, "渝中区"), (500105, "江北区"), (500106, "沙坪坝区"),
                                  (500108, "南岸区")), 32.1),
    Province("51", "成都市", ((510104, "锦江区"), (510105, "青羊区"),
                                       (510106, "金牛区"), (510107, "武侯区")), 83.7),
    Province("52", "贵阳市", ((520102, "南明区"), (520103, "云岩区")), 38.6),
    Province("53", "昆明市", ((530102, "五华区"), (530103, "盘龙区")), 47.2),
    Province("54", "拉萨市", ((540102, "城关区"),), 3.6),
    Province("61", "西安市", ((610102, "新城区"), (610103, "碑林区"),
                                       (610104, "莲湖区")), 39.5),
    Province("62", "兰州市", ((620102, "城关区"), (620103, "七里河区")), 25.0),
    Province("63", "西宁市", ((630102, "城东区"), (630103, "城中区")), 5.9),
    Province("64", "银川市", ((640104, "兴庆区"), (640105, "西夏区")), 7.2),
    Province("65", "乌鲁木齐市", ((650102, "天山区"),
                                                     (650103, "沙依巴克区")), 25.9),
    Province("71", "台北市", ((830000, ""),), 23.6),
    Province("81", "", ((810000, ""),), 7.5),
    Province("82", "", ((820000, ""),), 0.7),
)
# fmt: on

PROVINCE_BY_CODE: dict[str, Province] = {p.code: p for p in PROVINCES}
assert set(PROVINCE_BY_CODE) == set(NAMES), "cohortgate.models.regions and this table list one set"

# The first two digits of a resident ID (or residence permit) number.
ID_AREA_PREFIXES = frozenset({p.code for p in PROVINCES} - {"71"} | {"83"})
