// One vocabulary for the web app and the mini-program: what each client shows for the names
// the server uses (document and claim statuses, invoice fields, actions, claim events), the
// tone of each status, and when a field's confidence is flagged. The web app imports this
// file; the mini-program gets a copy (scripts/frontend_codegen.py, `make frontend-codegen`).
// Which statuses are finished and which actions a user may take are the server's answers
// (is_terminal, allowed_actions), never decided here.
//
// Plain TypeScript that both compilers accept (the mini-program's targets ES2019).

export type Lang = "zh-CN" | "en";

export interface Label {
  "zh-CN": string;
  en: string;
}

// Both clients style a status by its tone (web: .tone-<tone>, mini-program: .tag-<tone>).
export type Tone = "ok" | "warn" | "bad" | "busy" | "neutral";

export interface StatusLabel extends Label {
  tone: Tone;
}

// Tables keep their literal names, so a client can check at compile time that every name of
// the server's schema (its generated enum types) has an entry.
function statuses<K extends string>(
  entries: Record<K, StatusLabel>,
): Readonly<Record<K, StatusLabel>> {
  return entries;
}

function labels<K extends string>(entries: Record<K, Label>): Readonly<Record<K, Label>> {
  return entries;
}

export const DOCUMENT_STATUS = statuses({
  received: { "zh-CN": "已接收", en: "Received", tone: "busy" },
  scanning: { "zh-CN": "病毒扫描中", en: "Virus scan", tone: "busy" },
  clean: { "zh-CN": "扫描通过", en: "Scan passed", tone: "busy" },
  processing: { "zh-CN": "识别中", en: "Reading", tone: "busy" },
  extracted: { "zh-CN": "已识别", en: "Fields extracted", tone: "ok" },
  split: { "zh-CN": "含多张票据", en: "Several documents", tone: "ok" },
  needs_review: { "zh-CN": "需人工核对", en: "Needs review", tone: "warn" },
  failed: { "zh-CN": "处理失败", en: "Failed", tone: "bad" },
  infected: { "zh-CN": "含病毒，已删除", en: "Infected — removed", tone: "bad" },
  rejected: { "zh-CN": "已拒收", en: "Rejected", tone: "bad" },
  // Not a status the server sends: how both clients show a "needs review" document whose
  // claim finance approved (a person has reviewed it).
  checked: { "zh-CN": "已审核", en: "Checked", tone: "ok" },
});

export const CLAIM_STATUS = statuses({
  draft: { "zh-CN": "草稿", en: "Draft", tone: "neutral" },
  submitted: { "zh-CN": "已提交", en: "Submitted", tone: "busy" },
  manager_approved: { "zh-CN": "主管已审批", en: "Approved by manager", tone: "busy" },
  finance_approved: { "zh-CN": "财务已审批", en: "Approved by finance", tone: "ok" },
  exported: { "zh-CN": "已导出", en: "Exported", tone: "ok" },
  paid: { "zh-CN": "已付款", en: "Paid", tone: "ok" },
  returned: { "zh-CN": "已退回修改", en: "Returned for changes", tone: "warn" },
  rejected: { "zh-CN": "已驳回", en: "Rejected", tone: "bad" },
});

// A status this vocabulary does not know yet (a newer server): its own name, no tone.
export const UNKNOWN_TONE: Tone = "neutral";

// The invoice's fields, in the order they are printed on a VAT invoice.
export const FIELD = labels({
  invoice_code: { "zh-CN": "发票代码", en: "Invoice code" },
  invoice_number: { "zh-CN": "发票号码", en: "Invoice number" },
  issue_date: { "zh-CN": "开票日期", en: "Issue date" },
  seller_name: { "zh-CN": "销售方名称", en: "Seller" },
  seller_tax_id: { "zh-CN": "销售方税号", en: "Seller tax ID" },
  buyer_name: { "zh-CN": "购买方名称", en: "Buyer" },
  buyer_tax_id: { "zh-CN": "购买方税号", en: "Buyer tax ID" },
  amount_excluding_tax: { "zh-CN": "金额（不含税）", en: "Amount excl. tax" },
  tax_amount: { "zh-CN": "税额", en: "Tax" },
  total_amount: { "zh-CN": "价税合计", en: "Total" },
  total_in_words: { "zh-CN": "价税合计（大写）", en: "Total in words" },
  check_code: { "zh-CN": "校验码", en: "Check code" },
  currency: { "zh-CN": "币种", en: "Currency" },
});

// What a user may do with a claim or a document (the server's allowed_actions), as the
// button that does it is labelled.
export const CLAIM_ACTION = labels({
  edit: { "zh-CN": "修改", en: "Edit" },
  delete: { "zh-CN": "删除草稿", en: "Delete draft" },
  add_documents: { "zh-CN": "添加票据", en: "Add documents" },
  remove_document: { "zh-CN": "移出", en: "Remove" },
  move_document: { "zh-CN": "移到…", en: "Move to…" },
  submit: { "zh-CN": "提交审批", en: "Submit for approval" },
  approve: { "zh-CN": "通过", en: "Approve" },
  return: { "zh-CN": "退回", en: "Return" },
  reject: { "zh-CN": "驳回", en: "Reject" },
  mark_paid: { "zh-CN": "标记为已付款", en: "Mark paid" },
  comment: { "zh-CN": "留言", en: "Comment" },
});

export const DOCUMENT_ACTION = labels({
  edit: { "zh-CN": "修改", en: "Edit" },
  retry: { "zh-CN": "重新识别", en: "Read again" },
  resolve_duplicate: { "zh-CN": "确认不重复", en: "Not a duplicate" },
  view_original: { "zh-CN": "查看未遮盖的原件", en: "View the unmasked original" },
});

// A claim's history as its timeline shows it (the server's audit actions "claim.<event>").
export const CLAIM_EVENT = statuses({
  "claim.created": { "zh-CN": "创建报销单", en: "Claim created", tone: "neutral" },
  "claim.updated": { "zh-CN": "修改报销单", en: "Claim edited", tone: "neutral" },
  "claim.deleted": { "zh-CN": "删除报销单", en: "Claim deleted", tone: "neutral" },
  "claim.document_added": { "zh-CN": "添加票据", en: "Document added", tone: "neutral" },
  "claim.document_removed": { "zh-CN": "移除票据", en: "Document removed", tone: "neutral" },
  "claim.document_moved": { "zh-CN": "移动票据", en: "Document moved", tone: "neutral" },
  "claim.submitted": { "zh-CN": "提交审批", en: "Submitted", tone: "neutral" },
  "claim.manager_approved": { "zh-CN": "主管审批通过", en: "Approved by manager", tone: "ok" },
  "claim.finance_approved": { "zh-CN": "财务审批通过", en: "Approved by finance", tone: "ok" },
  "claim.returned": { "zh-CN": "退回修改", en: "Returned for changes", tone: "warn" },
  "claim.rejected": { "zh-CN": "驳回", en: "Rejected", tone: "bad" },
  "claim.exported": { "zh-CN": "已导出到财务系统", en: "Exported to accounting", tone: "ok" },
  "claim.paid": { "zh-CN": "已付款", en: "Paid", tone: "ok" },
  "claim.commented": { "zh-CN": "留言", en: "Comment", tone: "neutral" },
});

// Below this engine confidence a read field is flagged for a person to check. A hint on
// screen only: whether a field holds the document for review is the server's answer
// (extraction.review_reasons, "unverified:<field>").
export const LOW_CONFIDENCE = 0.8;

// The label of a name in one of the tables above; an unknown name shows as itself.
export function labelOf(
  table: Readonly<Record<string, Label>>,
  name: string,
  lang: Lang,
): string {
  const entry = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
  return entry ? entry[lang] : name;
}

export function toneOf(table: Readonly<Record<string, StatusLabel>>, name: string): Tone {
  const entry = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
  return entry ? entry.tone : UNKNOWN_TONE;
}
