# ruff: noqa: E501  (prompt texts are data: wrapping them would change what the model reads)
"""The prompt texts, one constant per (family, task) with its version.

Bump the version whenever a text changes: the version is stored with every extraction,
keys the answer cache, and labels fine-tuning examples, so two different texts must never
share one. Texts are in English with the Chinese field labels as printed: GLM-4.6V reads
both, and the Chinese labels are what it actually sees on the document.
"""

from __future__ import annotations

from typing import Final

# Shared wording of the answer rules, so that every JSON prompt asks the same thing.
JSON_RULES: Final = (
    "Answer with ONE JSON object and nothing else: no explanation, no Markdown, no code "
    "fence. Use exactly the keys listed. Write null for a field that is not printed or "
    "not legible: never guess, never compute a value that is not printed. Dates as "
    "YYYY-MM-DD. Money as a string with two decimals, no currency sign and no thousands "
    'separator (for example "1130.00"). Identifiers exactly as printed, upper case, no '
    "spaces."
)

LINE_ITEMS_RULE: Final = (
    '"line_items": a list with one object per printed item line, keys "name", '
    '"quantity", "unit_price", "amount", "tax_rate", "tax_amount"; quantity and '
    'unit_price as printed, amounts as money strings, tax_rate as printed ("13%", '
    '"6%", "免税"); an empty list when there are no item lines.'
)

INVOICE_FIELDS_V1: Final = (
    "invoice.fields.v1",
    """You are reading an image of an invoice (发票), most likely a Chinese VAT invoice. Extract its fields.

{rules}

Keys:
- "document_type": one of "vat_special" (增值税专用发票, paper), "vat_general" (增值税普通发票, paper), "vat_electronic" (增值税电子普通/专用发票, 12-digit 发票代码), "digital_invoice" (数电票/全电发票: 20-digit 发票号码, no 发票代码), "quota_invoice" (定额发票), "train_ticket", "bus_ticket", "air_itinerary", "taxi_receipt", "toll_receipt", "receipt" (shop, restaurant or foreign receipt), "other"
- "invoice_code": 发票代码, digits only (10 or 12 digits; null on a 数电票)
- "invoice_number": 发票号码, digits only (8 digits, or 20 on a 数电票)
- "issue_date": 开票日期
- "seller_name": 销售方名称
- "seller_tax_id": 销售方纳税人识别号 / 统一社会信用代码
- "buyer_name": 购买方名称
- "buyer_tax_id": 购买方纳税人识别号 / 统一社会信用代码
- "amount_excluding_tax": 合计 金额 (before tax)
- "tax_amount": 合计 税额
- "total_amount": 价税合计 (小写)
- "total_in_words": 价税合计 (大写), the Chinese characters exactly as printed, e.g. "壹仟壹佰叁拾元整"
- "check_code": 校验码, digits only
- "currency": ISO 4217 code ("CNY" for 人民币)
- {line_items}

Answer in this shape:
{skeleton}""",
)

RECEIPT_FIELDS_V1: Final = (
    "receipt.fields.v1",
    """You are reading an image of a receipt: a shop, restaurant, taxi or toll receipt, possibly from outside China. Extract its fields.

{rules}

Keys:
- "document_type": one of "receipt" (shop, restaurant or foreign receipt), "taxi_receipt" (出租车票), "toll_receipt" (通行费/过路费), "other"
- "invoice_number": the receipt, bill or invoice number as printed (digits and letters)
- "issue_date": the date of the purchase or ride
- "seller_name": the merchant or company name at the top of the receipt
- "seller_tax_id": the merchant's tax or company registration number if printed (统一社会信用代码, GST/SST ID, company no.)
- "amount_excluding_tax": the amount before tax, only if printed separately
- "tax_amount": the tax (GST, SST, VAT, 税额), only if printed
- "total_amount": the final amount due or paid, after tax, rounding and discounts
- "currency": ISO 4217 code of the printed amounts ("CNY" for ¥ or 元, "MYR" for RM)
- {line_items}

Answer in this shape:
{skeleton}""",
)

TICKET_FIELDS_V1: Final = (
    "ticket.fields.v1",
    """You are reading an image of a travel ticket: a train ticket (火车票/铁路电子客票), a bus ticket (汽车票) or an air itinerary (航空运输电子客票行程单). Extract its fields.

{rules}

Keys:
- "document_type": one of "train_ticket", "bus_ticket", "air_itinerary", "other"
- "invoice_number": the ticket number (票号, 电子客票号码, or the 20-digit 发票号码 on an electronic railway ticket)
- "issue_date": the travel date printed on the ticket (乘车日期 / 航班日期), else the issue date
- "seller_name": the carrier or issuer (railway, bus company, airline or agent)
- "buyer_name": the passenger name (乘客姓名 / 旅客姓名) as printed
- "buyer_tax_id": the buyer's 统一社会信用代码 if printed (electronic tickets)
- "tax_amount": the tax or fees if printed separately (燃油附加费, 民航发展基金, 税额)
- "total_amount": the fare or total (票价 / 合计), as printed
- "currency": ISO 4217 code ("CNY" for ¥ or 元)

Answer in this shape:
{skeleton}""",
)

TABLE_MARKDOWN_V1: Final = (
    "table.markdown.v1",
    """Transcribe every table in this image as GitHub-flavoured Markdown.

Rules: one Markdown table per printed table, in reading order; the first row is the header row; keep every cell's text exactly as printed (numbers, units, Chinese characters), an empty cell stays empty; merged cells repeat their text in each cell they span. Output only the Markdown tables, separated by one blank line, with no explanation and no code fence.""",
)

SCENE_DESCRIPTION_V1: Final = (
    "scene.describe.v1",
    """Describe this image in two to four sentences: what kind of document or scene it shows, its main content, and anything that makes it hard to read (blur, glare, folds, cropping, handwriting, stamps over text). Answer in plain text.""",
)

# Appended to a ``fields`` prompt when the document's own QR code (or other
# machine-readable data) already gave some keys. The printed value is still asked for:
# comparing it with the exact one is how an altered print is caught.
KNOWN_VALUES_V1: Final = (
    "known.v1",
    """These keys are already known exactly, from the document's own QR code: {values}
Concentrate on the other keys. For the known keys, write what the document prints (null if it is not legible there): do not copy them from this list, because a print that differs from its QR code must be noticed.""",
)

FEW_SHOT_HEADER: Final = (
    "Examples of correct answers for other documents of this kind (the values belong "
    "to those documents, not to this image):"
)
