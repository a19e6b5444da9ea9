"""Builders of 数电票 XML and OFD files from fields, for tests and the benchmark.

Written from the structure of real files (element names, a 数电票's page geometry in mm,
DeltaX glyph spacing, tags pointing at text-object ids) so the readers meet what issuers
produce, in several layouts: with or without tags, CustomData, an embedded XML, a
namespace prefix, a default namespace or none, paths relative or absolute.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image

OFD_NS = "http://www.ofdspec.org/2016"


@dataclass(frozen=True)
class Item:
    name: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    rate: str  # as printed: "13%", "免税"
    tax: Decimal | None  # None: printed as ***
    unit: str = "个"


@dataclass(frozen=True)
class Spec:
    number: str = "25442000000123456789"
    date: dt.date = dt.date(2025, 3, 14)
    seller_name: str = "深圳前海测试科技有限公司"
    seller_tax_id: str = "91440300MA5EJRPEXF"
    buyer_name: str = "北京示例商贸有限公司"
    buyer_tax_id: str = "91110000600037341L"
    amount: Decimal = Decimal("1255.00")
    tax: Decimal = Decimal("93.15")
    total: Decimal = Decimal("1348.15")
    words: str = "壹仟叁佰肆拾捌圆壹角伍分"
    items: tuple[Item, ...] = (
        Item(
            "*信息技术服务*软件开发",
            Decimal(1),
            Decimal(1000),
            Decimal("1000.00"),
            "6%",
            Decimal("60.00"),
            "次",
        ),
        Item(
            "*纸制品*打印纸",
            Decimal(10),
            Decimal("25.5"),
            Decimal("255.00"),
            "13%",
            Decimal("33.15"),
            "包",
        ),
    )

    def expected(self) -> dict[str, Any]:
        """The contract fields a reader must return for this spec."""
        return {
            "invoice_code": None,
            "invoice_number": self.number,
            "issue_date": self.date.isoformat(),
            "seller_name": self.seller_name,
            "seller_tax_id": self.seller_tax_id,
            "buyer_name": self.buyer_name,
            "buyer_tax_id": self.buyer_tax_id,
            "amount_excluding_tax": str(self.amount),
            "tax_amount": str(self.tax),
            "total_amount": str(self.total),
            "total_in_words": self.words,
            "check_code": None,
            "currency": "CNY",
        }

    def expected_items(self) -> list[dict[str, Any]]:
        return [
            {
                "name": item.name,
                "quantity": format(item.quantity.normalize(), "f"),
                "unit_price": format(item.unit_price.normalize(), "f"),
                "amount": str(item.amount),
                "tax_rate": item.rate,
                "tax_amount": None if item.tax is None else str(item.tax),
            }
            for item in self.items
        ]


DEFAULT = Spec()
# A one-line invoice whose item name wraps onto two printed lines, 免税.
EXEMPT = replace(
    DEFAULT,
    number="25312000000987654321",
    date=dt.date(2025, 11, 2),
    seller_name="上海农产品示范合作社",
    seller_tax_id="93310000MA1FL0000G",
    amount=Decimal("860.00"),
    tax=Decimal("0.00"),
    total=Decimal("860.00"),
    words="捌佰陆拾圆整",
    items=(
        Item(
            "*蔬菜*有机蔬菜礼盒（精选时令十二种组合装）",
            Decimal(4),
            Decimal(215),
            Decimal("860.00"),
            "免税",
            None,
            "盒",
        ),
    ),
)


# --- 数电票 XML --------------------------------------------------------------------------


def einvoice_xml(
    spec: Spec = DEFAULT,
    *,
    namespace: str | None = None,
    prefix: str | None = None,
    omit: Iterable[str] = (),
    words: bool = False,
    encoding: str = "UTF-8",
) -> bytes:
    """A 数电票 XML. ``omit`` drops elements by name; ``words`` adds the 大写 element."""
    skipped = set(omit)
    tag = (lambda n: f"{prefix}:{n}") if prefix else (lambda n: n)

    def el(name: str, value: object) -> str:
        if name in skipped or value is None:
            return ""
        return f"<{tag(name)}>{escape(str(value))}</{tag(name)}>"

    items = "".join(
        f"<{tag('IssuItemInformation')}>"
        + el("ItemName", item.name)
        + el("SpecMod", "")
        + el("MeaUnits", item.unit)
        + el("Quantity", item.quantity)
        + el("UnPrice", item.unit_price)
        + el("Amount", item.amount)
        + el("TaxRate", _xml_rate(item.rate))
        + el("ComTaxAm", item.tax if item.tax is not None else "")
        + f"</{tag('IssuItemInformation')}>"
        for item in spec.items
        if "IssuItemInformation" not in skipped
    )
    declare = ""
    if namespace:
        declare = f' xmlns:{prefix}="{namespace}"' if prefix else f' xmlns="{namespace}"'
    body = (
        f"<{tag('EInvoice')}{declare}>"
        f"<{tag('Header')}>{el('EIid', spec.number)}{el('EInvoiceTag', 'SWEI3200')}"
        f"<{tag('InherentLabel')}><{tag('GeneralOrSpecialVAT')}>"
        f"{el('LabelName', '增值税专用发票')}</{tag('GeneralOrSpecialVAT')}>"
        f"</{tag('InherentLabel')}></{tag('Header')}>"
        f"<{tag('EInvoiceData')}>"
        f"<{tag('SellerInformation')}>{el('SellerIdNum', spec.seller_tax_id)}"
        f"{el('SellerName', spec.seller_name)}</{tag('SellerInformation')}>"
        f"<{tag('BuyerInformation')}>{el('BuyerIdNum', spec.buyer_tax_id)}"
        f"{el('BuyerName', spec.buyer_name)}</{tag('BuyerInformation')}>"
        f"<{tag('BasicInformation')}>{el('TotalAmWithoutTax', spec.amount)}"
        f"{el('TotalTaxAm', spec.tax)}{el('TotalTax-includedAmount', spec.total)}"
        + (el("TotalTax-includedAmountInChinese", spec.words) if words else "")
        + f"{el('RequestTime', spec.date.isoformat() + ' 09:30:00')}</{tag('BasicInformation')}>"
        f"{items}</{tag('EInvoiceData')}>"
        f"<{tag('TaxSupervisionInfo')}>{el('InvoiceNumber', spec.number)}"
        f"{el('IssueTime', spec.date.isoformat() + ' 09:30:12')}"
        f"{el('TaxBureauCode', '14403000000')}</{tag('TaxSupervisionInfo')}>"
        f"</{tag('EInvoice')}>"
    )
    return f'<?xml version="1.0" encoding="{encoding}"?>\n{body}'.encode(encoding)


def _xml_rate(rate: str) -> str:
    return str(Decimal(rate.rstrip("%")) / 100) if rate.endswith("%") else rate


# --- OFD -------------------------------------------------------------------------------


@dataclass
class _Page:
    """Objects of one OFD page (or template) being written, with ids handed out."""

    ids: list[int]
    objects: list[str] = field(default_factory=list)

    def next_id(self) -> int:
        self.ids[0] += 1
        return self.ids[0]

    def text(
        self, x: float, y: float, text: str, *, size: float = 3.175, w: float = 0, ctm: str = ""
    ) -> int:
        oid = self.next_id()
        width = w or max(4.0, _advance_sum(text, size) + size)
        deltas = _delta_x(text, size)
        delta = f' DeltaX="{deltas}"' if deltas else ""
        self.objects.append(
            f'<ofd:TextObject ID="{oid}"{f" CTM={ctm!r}" if ctm else ""} '
            f'Boundary="{x} {y} {width:.3f} {size * 1.6:.3f}" '
            f'Font="3" Size="{size}"><ofd:TextCode X="0" Y="{size * 1.15:.4f}"{delta}>'
            f"{escape(text)}</ofd:TextCode></ofd:TextObject>"
        )
        return oid

    def line(self, x: float, y: float, w: float, h: float) -> None:
        oid = self.next_id()
        self.objects.append(
            f'<ofd:PathObject ID="{oid}" Boundary="{x} {y} {max(w, 0.4)} {max(h, 0.4)}">'
            f"<ofd:AbbreviatedData>M 0 0 L {w} {h}</ofd:AbbreviatedData></ofd:PathObject>"
        )

    def image(self, x: float, y: float, w: float, h: float, resource: int) -> int:
        oid = self.next_id()
        self.objects.append(
            f'<ofd:ImageObject ID="{oid}" CTM="{w} 0 0 {h} 0 0" Boundary="{x} {y} {w} {h}" '
            f'ResourceID="{resource}"/>'
        )
        return oid


def _wide(char: str) -> bool:
    return ord(char) > 0x2E80


def _advance_sum(text: str, size: float) -> float:
    return sum(size if _wide(c) else size / 2 for c in text[:-1])


def _delta_x(text: str, size: float) -> str:
    """OFD DeltaX for monospaced CJK/half-width print, runs written as ``g N v``."""
    steps = [size if _wide(c) else size / 2 for c in text[:-1]]
    out: list[str] = []
    i = 0
    while i < len(steps):
        j = i
        while j < len(steps) and steps[j] == steps[i]:
            j += 1
        out.append(f"g {j - i} {steps[i]:g}" if j - i > 1 else f"{steps[i]:g}")
        i = j
    return " ".join(out)


def _money_text(value: Decimal) -> str:
    return f"{value:.2f}"


def ofd_package(
    spec: Spec = DEFAULT,
    *,
    tags: bool = True,
    custom_data: bool = True,
    embedded_xml: bool = False,
    namespace: str = "prefixed",  # "prefixed" | "default" | "none"
    absolute_paths: bool = False,
    custom_overrides: dict[str, str] | None = None,
    printed_overrides: dict[str, str] | None = None,
    image: bytes | None = None,
    extra_members: dict[str, bytes] | None = None,
) -> bytes:
    """An OFD 数电票 for ``spec``; the keyword arguments choose the layout.

    ``custom_overrides`` replaces CustomData values (by Chinese name) and
    ``printed_overrides`` printed ones (by field name): a file whose parts disagree.
    ``image`` (PNG bytes) is placed at 6.5/6 mm, 20x20 mm, where a 数电票 has its QR code.
    """
    printed = dict(printed_overrides or {})
    ids = [100]
    tpl = _Page(ids)
    page = _Page(ids)
    refs: dict[str, list[int]] = {}

    def tagged(name: str, oid: int) -> int:
        refs.setdefault(name, []).append(oid)
        return oid

    # The form (template): labels and rules, as the tax platform's template draws them.
    tpl.text(56, 8, "电子发票（增值税专用发票）", size=7.0)
    tpl.text(154, 11, "发票号码：", size=3.3)
    tpl.text(154, 17, "开票日期：", size=3.3)
    for x in (11, 111.5):
        tpl.text(x, 33.5, "名称：")
        # Squeezed to 89 % width, as the tax platform's template prints it.
        tpl.text(x, 44, "统一社会信用代码/纳税人识别号：", ctm="0.89 0 0 1 0 0")
    for x, label in (
        (15.5, "项目名称"),
        (41.6, "规格型号"),
        (66.5, "单 位"),
        (92.5, "数 量"),
        (117.5, "单 价"),
        (143, "金 额"),
        (157, "税率/征收率"),
        (194, "税 额"),
    ):
        tpl.text(x, 53, label)
    tpl.text(20, 92, "合")
    tpl.text(36, 92, "计")
    tpl.text(16.4, 98.5, "价税合计（大写）")
    tpl.text(143, 98.5, "（小写）")
    tpl.text(19, 129.5, "开票人：")
    for y in (29.8, 51.8, 95.8, 103.8, 123.8):
        tpl.line(4.5, y, 201, 0)
    for x in (4.3, 205.3):
        tpl.line(x, 30, 0, 94)

    # The page: the issuer's values.
    if image is not None:
        page.image(6.5, 6, 20, 20, resource=90)
    tagged("InvoiceNo", page.text(170, 10.3, printed.get("invoice_number", spec.number)))
    date_text = f"{spec.date.year}年{spec.date.month:02d}月{spec.date.day:02d}日"
    tagged("IssueDate", page.text(170, 16.4, printed.get("issue_date", date_text)))
    tagged("BuyerName", page.text(20, 33.8, spec.buyer_name))
    tagged("BuyerTaxID", page.text(60, 43.3, spec.buyer_tax_id, size=4.2333))
    tagged("SellerName", page.text(120, 33.8, spec.seller_name))
    tagged("SellerTaxID", page.text(161, 43.3, spec.seller_tax_id, size=4.2333))
    y = 56.0
    for item in spec.items:
        name = item.name
        first, rest = (name[:16], name[16:]) if len(name) > 16 else (name, "")
        tagged("Item", page.text(4.5, y, first))
        if rest:
            tagged("Item", page.text(4.5, y + 3.6, rest))
        tagged("MeasurementDimension", page.text(70, y, item.unit))
        tagged("Quantity", page.text(95, y, format(item.quantity.normalize(), "f")))
        tagged("Price", page.text(106, y, format(item.unit_price.normalize(), "f"), size=2.8222))
        tagged("Amount", page.text(135, y, _money_text(item.amount)))
        tagged("TaxScheme", page.text(163, y, item.rate))
        tax_text = "***" if item.tax is None else _money_text(item.tax)
        tagged("TaxAmount", page.text(190, y, tax_text))
        y += 8.0 if rest else 4.5
    amount_text = printed.get("amount_excluding_tax", _money_text(spec.amount))
    tagged("TaxExclusiveTotalAmount", page.text(127.5, 90.5, "¥"))
    tagged("TaxExclusiveTotalAmount", page.text(130, 90.5, amount_text))
    tagged("TaxTotalAmount", page.text(179.5, 90.5, "¥"))
    tagged("TaxTotalAmount", page.text(182, 90.5, _money_text(spec.tax)))
    circle = page.next_id()
    page.objects.append(
        f'<ofd:PathObject ID="{circle}" Boundary="57.9 97 5 5" LineWidth="0.225" Fill="true">'
        "<ofd:AbbreviatedData>M 4.5 2.5 B 4.5 1.4 3.6 0.45 2.5 0.45 B 1.4 0.45 0.45 1.4 "
        "0.45 2.5 M 1 1 L 3.9 3.9 M 1 3.9 L 3.9 1</ofd:AbbreviatedData></ofd:PathObject>"
    )
    page.text(62.9, 96, printed.get("total_in_words", spec.words))
    total_text = printed.get("total_amount", _money_text(spec.total))
    tagged("TaxInclusiveTotalAmount", page.text(155.5, 96.1, "¥", size=3.8806))
    tagged("TaxInclusiveTotalAmount", page.text(158, 96.1, total_text, size=3.8806))
    page.text(11.1, 104.5, "备注：测试用发票，不可报销")
    page.text(32, 129.1, "张三")

    members: dict[str, str] = {}
    custom = {
        "发票号码": spec.number,
        "开票日期": date_text,
        "合计金额": _money_text(spec.amount),
        "合计税额": _money_text(spec.tax),
        "销售方纳税人识别号": spec.seller_tax_id,
        "购买方纳税人识别号": spec.buyer_tax_id,
    }
    custom.update(custom_overrides or {})
    custom_xml = "".join(
        f'<ofd:CustomData Name="{escape(k)}">{escape(v)}</ofd:CustomData>'
        for k, v in custom.items()
    )
    doc_root = "/Doc_0/Document.xml" if absolute_paths else "Doc_0/Document.xml"
    members["OFD.xml"] = (
        '<ofd:OFD DocType="OFD" Version="1.0"><ofd:DocBody><ofd:DocInfo>'
        "<ofd:DocID>0123456789abcdef</ofd:DocID><ofd:Author>test</ofd:Author>"
        + (f"<ofd:CustomDatas>{custom_xml}</ofd:CustomDatas>" if custom_data else "")
        + f"</ofd:DocInfo><ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
    )
    page_loc = "/Doc_0/Pages/Page_0/Content.xml" if absolute_paths else "Pages/Page_0/Content.xml"
    members["Doc_0/Document.xml"] = (
        "<ofd:Document><ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID>"
        "<ofd:PageArea><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:PageArea>"
        "<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>"
        "<ofd:DocumentRes>DocumentRes.xml</ofd:DocumentRes>"
        '<ofd:TemplatePage ID="1" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>'
        f'<ofd:Pages><ofd:Page ID="61" BaseLoc="{page_loc}"/></ofd:Pages>'
        + ("<ofd:CustomTags>Tags/CustomTags.xml</ofd:CustomTags>" if tags else "")
        + "</ofd:Document>"
    )
    members["Doc_0/PublicRes.xml"] = (
        "<ofd:Res><ofd:DrawParams>"
        '<ofd:DrawParam ID="4"><ofd:FillColor Value="128 0 0"/>'
        '<ofd:StrokeColor Value="128 0 0"/></ofd:DrawParam></ofd:DrawParams>'
        '<ofd:Fonts><ofd:Font ID="3" FontName="宋体" FamilyName="SimSun"/></ofd:Fonts></ofd:Res>'
    )
    members["Doc_0/DocumentRes.xml"] = (
        '<ofd:Res BaseLoc="/Doc_0/Res"><ofd:MultiMedias>'
        '<ofd:MultiMedia ID="90" Type="Image"><ofd:MediaFile>qr.png</ofd:MediaFile>'
        "</ofd:MultiMedia></ofd:MultiMedias></ofd:Res>"
    )
    members["Doc_0/Tpls/Tpl_0/Content.xml"] = (
        "<ofd:Page><ofd:Area><ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:Area>"
        '<ofd:Content><ofd:Layer ID="2" DrawParam="4">'
        + "".join(tpl.objects)
        + "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    members["Doc_0/Pages/Page_0/Content.xml"] = (
        '<ofd:Page><ofd:Template TemplateID="1" ZOrder="Background"/>'
        '<ofd:Content><ofd:Layer ID="3"><ofd:PageBlock ID="4">'
        + "".join(page.objects)
        + "</ofd:PageBlock></ofd:Layer></ofd:Content></ofd:Page>"
    )
    if tags:
        members["Doc_0/Tags/CustomTags.xml"] = (
            '<ofd:CustomTags><ofd:CustomTag TypeID="root"><ofd:FileLoc>CustomTag.xml'
            "</ofd:FileLoc></ofd:CustomTag></ofd:CustomTags>"
        )
        members["Doc_0/Tags/CustomTag.xml"] = _tag_xml(refs)
    files = {name: _namespaced(text, namespace) for name, text in members.items()}
    if image is not None:
        files["Doc_0/Res/qr.png"] = image
    if embedded_xml:
        files["Doc_0/Attachs/invoice.xml"] = einvoice_xml(spec)
    files.update(extra_members or {})
    return zip_bytes(files)


def _tag_xml(refs: dict[str, list[int]]) -> str:
    def group(name: str) -> str:
        return "".join(f'<ofd:ObjectRef PageRef="61">{oid}</ofd:ObjectRef>' for oid in refs[name])

    parts = ['<ofd:root version="1.0">']
    for name in ("InvoiceNo", "IssueDate"):
        parts.append(f"<ofd:{name}>{group(name)}</ofd:{name}>")
    parts.append(
        f"<ofd:Buyer><ofd:BuyerName>{group('BuyerName')}</ofd:BuyerName>"
        f"<ofd:BuyerTaxID>{group('BuyerTaxID')}</ofd:BuyerTaxID></ofd:Buyer>"
        f"<ofd:Seller><ofd:SellerName>{group('SellerName')}</ofd:SellerName>"
        f"<ofd:SellerTaxID>{group('SellerTaxID')}</ofd:SellerTaxID></ofd:Seller>"
    )
    for name in ("TaxExclusiveTotalAmount", "TaxTotalAmount", "TaxInclusiveTotalAmount"):
        parts.append(f"<ofd:{name}>{group(name)}</ofd:{name}>")
    # Item tags one occurrence per printed object, as the real file has for one line.
    for name in ("Item", "MeasurementDimension", "Amount", "TaxAmount", "Price", "Quantity"):
        for oid in refs.get(name, []):
            parts.append(
                f'<ofd:{name}><ofd:ObjectRef PageRef="61">{oid}</ofd:ObjectRef></ofd:{name}>'
            )
    parts.append(f"<ofd:TaxScheme>{group('TaxScheme')}</ofd:TaxScheme>")
    parts.append("</ofd:root>")
    return "".join(parts)


def _namespaced(text: str, style: str) -> bytes:
    if style == "none":
        text = text.replace("ofd:", "")
    elif style == "default":
        text = text.replace("ofd:", "")
        end = text.index(">")
        if text[end - 1] == "/":
            end -= 1
        text = text[:end] + f' xmlns="{OFD_NS}"' + text[end:]
    else:
        end = text.index(">")
        if text[end - 1] == "/":
            end -= 1
        text = text[:end] + f' xmlns:ofd="{OFD_NS}"' + text[end:]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode()


def zip_bytes(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def mark_encrypted(data: bytes, member: str) -> bytes:
    """The zip ``data`` with ``member`` flagged as encrypted (general purpose bit 0) in
    its local and central headers: how an encrypted member looks to a reader."""
    raw = bytearray(data)
    name = member.encode()
    for signature, flag_at, name_len_at, name_at in (
        (b"PK\x03\x04", 6, 26, 30),
        (b"PK\x01\x02", 8, 28, 46),
    ):
        start = 0
        while (start := raw.find(signature, start)) != -1:
            length = int.from_bytes(raw[start + name_len_at : start + name_len_at + 2], "little")
            if raw[start + name_at : start + name_at + length] == name:
                raw[start + flag_at] |= 0x01
            start += 4
    return bytes(raw)


def png(color: tuple[int, int, int] = (200, 0, 0), size: tuple[int, int] = (40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


# --- the real 数电票 OFD in the shared data folder (never copied into the repo) --------

REAL_OFD_NAME = "24322000000489101796.ofd"
REAL_OFD_EXPECTED = {
    "invoice_code": None,
    "invoice_number": "24322000000489101796",
    "issue_date": "2024-12-05",
    "seller_name": "无锡爱尔拓燃气技术设备有限公司",
    "seller_tax_id": "91320211739560225X",
    "buyer_name": "无锡天鹏菜篮子工程有限公司",
    "buyer_tax_id": "91320200796148368W",
    "amount_excluding_tax": "17699.12",
    "tax_amount": "2300.88",
    "total_amount": "20000.00",
    "total_in_words": "贰万圆整",
    "check_code": None,
    "currency": "CNY",
}


def shared_data_dir() -> Path:
    override = os.environ.get("IA_SHARED_DATA")
    return (
        Path(override)
        if override
        else Path(__file__).resolve().parents[3].parent / "shared" / "data"
    )


def real_ofd_path() -> Path:
    return shared_data_dir() / "einvoices-dev" / REAL_OFD_NAME


# --- many invoices, for the benchmark ------------------------------------------------

_COMPANIES = (
    "杭州云栖数据服务有限公司",
    "成都锦江餐饮管理有限公司",
    "广州白云国际物流股份有限公司",
    "南京紫金山文化传媒有限公司",
    "武汉光谷智能制造有限公司",
    "西安大雁塔旅游开发有限公司",
    "天津滨海新区港务建设集团有限公司",
    "苏州工业园区精密仪器有限公司",
)
_GOODS = (
    ("*餐饮服务*餐费", "次", "6%"),
    ("*住宿服务*住宿费", "天", "6%"),
    ("*运输服务*客运服务费", "次", "9%"),
    ("*计算机配套产品*固态硬盘（企业级 1.92TB）", "块", "13%"),
    ("*纸制品*复印纸", "箱", "13%"),
    ("*现代服务*技术咨询服务费（含现场支持与远程运维）", "项", "6%"),
    ("*蔬菜*新鲜蔬菜", "千克", "免税"),
    ("*建筑服务*工程服务", "项", "3%"),
)
_USCC_BODIES = ("91330100", "91510100", "91440101", "91320100", "91420100", "91610100")


def random_spec(rng: Any) -> Spec:
    """A consistent random 数电票: valid tax IDs, line taxes, totals and 大写."""
    from extraction.checksums import USCC_ALPHABET, uscc_check_char
    from extraction.chinese_amount import amount_to_words

    def uscc() -> str:
        # The organisation part: nine digits, or a newer "MA" code (MA5EJRPEX).
        if rng.random() < 0.7:
            org = "".join(rng.choice("0123456789") for _ in range(9))
        else:
            org = "MA" + rng.choice("0123456789")
            org += "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
        body = rng.choice(_USCC_BODIES) + org
        return body + (uscc_check_char(body) or "0")

    items = []
    for _ in range(rng.randint(1, 4)):
        name, unit, rate = rng.choice(_GOODS)
        quantity = Decimal(rng.randint(1, 20))
        price = Decimal(rng.randint(100, 500_000)) / 100
        amount = (quantity * price).quantize(Decimal("0.01"))
        fraction = Decimal(0) if rate == "免税" else Decimal(rate.rstrip("%")) / 100
        tax = None if rate == "免税" else (amount * fraction).quantize(Decimal("0.01"))
        items.append(Item(name, quantity, price, amount, rate, tax, unit))
    amount = sum((i.amount for i in items), Decimal(0)).quantize(Decimal("0.01"))
    tax = sum((i.tax or Decimal(0) for i in items), Decimal(0)).quantize(Decimal("0.01"))
    total = amount + tax
    seller, buyer = rng.sample(_COMPANIES, 2)
    return Spec(
        number=f"{rng.randint(23, 26)}{rng.randint(11, 65)}2000000{rng.randint(0, 10**9 - 1):09d}",
        date=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 330)),
        seller_name=seller,
        seller_tax_id=uscc(),
        buyer_name=buyer,
        buyer_tax_id=uscc(),
        amount=amount,
        tax=tax,
        total=total,
        words=amount_to_words(total).replace("元", "圆"),
        items=tuple(items),
    )
