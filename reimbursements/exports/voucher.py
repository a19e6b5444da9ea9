"""Accounting vouchers (记账凭证) in the column layout Kingdee and Yonyou import.

One voucher per claim: a debit line per expense-category account with the amount net
of deductible input VAT, one debit line for that VAT (进项税额), and one credit line to
the employee payable for the claim total. Debits equal credits by construction: each
item's total is split into net + VAT, and the credit is the sum of the totals.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from reimbursements.exports.writers import to_xlsx

ZERO = Decimal("0.00")
COLUMNS: tuple[str, ...] = (
    "日期",
    "凭证字",
    "凭证号",
    "分录号",
    "摘要",
    "科目代码",
    "科目名称",
    "借方金额",
    "贷方金额",
    "币别",
    "辅助核算(员工)",
    "员工姓名",
    "附件数",
    "单据号",
)
MONEY = frozenset({"借方金额", "贷方金额"})
CATEGORY_LABELS = {
    "travel": "差旅费",
    "lodging": "住宿费",
    "meals": "业务招待费",
    "transport": "交通费",
    "office": "办公费",
    "other": "其他费用",
}


@dataclass(frozen=True)
class VoucherLine:
    date: dt.date
    number: int
    line: int
    summary: str
    account_code: str
    account_name: str
    debit: Decimal
    credit: Decimal
    currency: str
    employee: str
    employee_name: str
    attachments: int
    reference: str

    def row(self) -> dict[str, Any]:
        values = (
            self.date.isoformat(),
            settings.VOUCHER_WORD,
            self.number,
            self.line,
            self.summary,
            self.account_code,
            self.account_name,
            self.debit,
            self.credit,
            self.currency,
            self.employee,
            self.employee_name,
            self.attachments,
            self.reference,
        )
        return dict(zip(COLUMNS, values, strict=True))


def _amount(value: Any) -> Decimal:
    return ZERO if value in (None, "") else Decimal(str(value)).quantize(Decimal("0.01"))


def split_vat(item: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """(net expense, deductible input VAT) of one item; they sum to its total, in the
    claim's currency (a document in another currency counts at its converted amount)."""
    claim_currency = item.get("claim_currency")
    if claim_currency and item.get("currency") != claim_currency:
        return _amount(item.get("amount_in_claim_currency")), ZERO
    total = _amount(item.get("total_amount"))
    tax = _amount(item.get("tax_amount"))
    deductible = item.get("document_type") in settings.VOUCHER_DEDUCTIBLE_DOCUMENT_TYPES
    if deductible and ZERO < tax <= total:
        return total - tax, tax
    return total, ZERO


def build_vouchers(items: Iterable[dict[str, Any]]) -> list[VoucherLine]:
    by_claim: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        by_claim[int(item["claim"])].append(item)
    lines: list[VoucherLine] = []
    for claim_id in sorted(by_claim):
        lines.extend(_voucher(claim_id, by_claim[claim_id]))
    return lines


def _voucher(claim_id: int, items: list[dict[str, Any]]) -> list[VoucherLine]:
    first = items[0]
    date = dt.datetime.fromisoformat(first["approved_at"]).date()
    name = first.get("employee_name") or first["employee"]
    debits: dict[str, Decimal] = defaultdict(lambda: ZERO)
    vat = ZERO
    total = ZERO
    for item in items:
        net, tax = split_vat(item)
        debits[item.get("category") or "other"] += net
        vat += tax
        total += net + tax
    lines: list[VoucherLine] = []

    def line(summary: str, account: dict[str, str], debit: Decimal, credit: Decimal) -> None:
        lines.append(
            VoucherLine(
                date=date,
                number=claim_id,
                line=len(lines) + 1,
                summary=summary,
                account_code=account["code"],
                account_name=account["name"],
                debit=debit,
                credit=credit,
                currency=first.get("claim_currency") or first.get("currency") or "CNY",
                employee=first["employee"],
                employee_name=name,
                attachments=len(items),
                reference=f"IA-{claim_id}",
            )
        )

    accounts = settings.VOUCHER_ACCOUNTS
    for category in sorted(debits, key=_category_order):
        account = accounts.get(category) or accounts["other"]
        label = CATEGORY_LABELS.get(category, category)
        line(f"{name}报销{label}", account, debits[category], ZERO)
    if vat:
        line(f"{name}报销进项税额", settings.VOUCHER_INPUT_VAT_ACCOUNT, vat, ZERO)
    line(f"应付{name}报销款 IA-{claim_id}", settings.VOUCHER_PAYABLE_ACCOUNT, ZERO, total)
    return lines


def _category_order(category: str) -> int:
    order = list(CATEGORY_LABELS)
    return order.index(category) if category in order else len(order)


def to_voucher_xlsx(items: Iterable[dict[str, Any]]) -> bytes:
    rows = [line.row() for line in build_vouchers(items)]
    return to_xlsx(rows, COLUMNS, money_columns=MONEY, title="凭证")
