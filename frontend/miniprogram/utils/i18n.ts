/**
 * A small i18n module: zh-CN first, English second.
 *
 * WXML cannot call functions, so pages put the whole dictionary in their data
 * (`L: messages()`) and bind `{{L.some_key}}`; code uses `t('some_key', {n: 1})`.
 * The language is the user's choice when made (stored), else the WeChat language.
 */

import { CLAIM_ACTION } from './vocabulary';

const zhCN = {
  app_name: '发票助手',
  loading: '加载中…',
  retry: '重试',
  cancel: '取消',
  confirm: '确定',
  save: '保存',
  edit: '修改',
  close: '关闭',
  load_more: '加载更多',
  no_more: '没有更多了',
  saved: '已保存',
  none: '—',

  tab_documents: '票据',
  tab_claims: '报销单',
  tab_me: '我的',

  login_title: '登录',
  login_subtitle: '拍照上传发票，随时查看报销进度',
  login_wechat_button: '微信一键登录',
  login_binding_title: '首次登录需要绑定员工账号',
  login_binding_hint: '请输入管理员发给你的一次性绑定码',
  login_binding_placeholder: '绑定码',
  login_binding_submit: '绑定并登录',
  login_binding_empty: '请输入绑定码',
  login_wechat_failed: '微信登录失败，请重试',
  login_dev_title: '开发者登录（账号密码，仅开发版）',
  login_username: '用户名',
  login_password: '密码',
  login_password_submit: '登录',
  login_password_empty: '请输入用户名和密码',
  login_server: '服务器地址',
  login_server_invalid: '服务器地址无效，应以 http:// 或 https:// 开头',
  login_success: '登录成功',

  docs_title: '我的票据',
  docs_upload: '拍照上传票据',
  docs_empty: '还没有票据，点击上方按钮上传',
  docs_duplicate: '可能重复',

  doc_parts_found: '在这张照片中找到 {n} 张票据',
  doc_parts_hint: '每张单独识别，可单独修改、加入报销单',
  doc_part_item: '第 {i} 张',
  doc_part_of: '照片中的第 {i} 张票据',

  upload_title: '上传票据',
  upload_camera: '拍照',
  upload_album: '从相册选择',
  upload_chat_file: '从聊天选择文件（PDF、OFD、XML、压缩包）',
  upload_from_archive: '此压缩包中的 {n} 张票据',
  upload_from_pdf: '此 PDF 含 {n} 张发票，已分别建档',
  upload_hint: '每次最多选择 {max} 张，较大的图片会先压缩再上传',
  upload_into_claim: '上传到报销单 #{id}',
  upload_state_queued: '等待上传',
  upload_state_compressing: '压缩中',
  upload_state_uploading: '上传中 {progress}%',
  upload_state_done: '上传完成',
  upload_state_failed: '上传失败',
  upload_retry: '重试',
  upload_view: '查看',
  upload_too_large: '文件大小 {size}，超过 {limit} 的上限',
  upload_summary: '已完成 {done}/{total}',
  upload_empty: '选择或拍摄发票照片后会在这里显示上传进度',

  doc_title: '票据详情',
  doc_polling: '正在处理，每 2 秒自动刷新…',
  doc_queue_ahead: '排队中：前面还有 {n} 份单据',
  doc_queue_next: '排队中：下一份就是您的',
  doc_step_received: '已接收',
  doc_step_scanning: '安全扫描',
  doc_step_processing: '识别',
  doc_step_result: '结果',
  doc_fields: '识别结果',
  doc_confidence: '置信度 {pct}',
  doc_low_confidence: '置信度低，请核对',
  prov_verified: '已核验',
  prov_read: '已识别',
  prov_edited: '已修改',
  prov_from: '来源：{source}',
  evidence_original: '原识别值：{value}',
  evidence_original_from: '原识别值：{value}（{source}）',
  evidence_made_up: '票面没有此项：由人工填写',
  evidence_cleared: '已被人工清除',
  evidence_by: '{name} 于 {when} 修改',
  evidence_old_warning: '修改前的提示：{message}',
  policy_title: '提交时将被拒绝',
  scan_not_scanned: '未经病毒扫描',
  scan_too_large: '文件过大，未能扫描',
  doc_locked: '此报销单已锁定，不能再修改。',
  claim_remove: CLAIM_ACTION.remove_document['zh-CN'],
  claim_move: CLAIM_ACTION.move_document['zh-CN'],
  claim_move_none: '没有其他可移入的草稿报销单',
  claim_removed: '已移出',
  claim_moved: '已移动',
  source_qr: '二维码',
  source_xml: 'XML',
  source_ofd: 'OFD',
  source_pdf_text: 'PDF 文本',
  source_ocr: 'OCR',
  source_vlm: '模型',
  source_remote: '远程模型',
  source_employee: '员工修改',
  doc_warnings: '校验提示',
  doc_no_extraction: '暂无识别结果',
  doc_error: '错误信息',
  doc_line_items: '明细',
  doc_view_image: '查看原图',
  doc_duplicate: '可能与票据 #{id} 重复',
  review_reasons: '需要人工核对的原因',
  review_reason_duplicate: '可能与已上传的单据重复。',
  review_reason_missing: '单据上未找到{field}。',
  review_reason_unverified:
    '{field}只识别了一次，没有任何依据能确认（无二维码或电子发票数据，也未通过交叉校验），请与原件核对。',
  review_reason_warning: '校验未通过：{message}',
  review_reason_warning_on: '{field}校验未通过：{message}',
  doc_infected: '检测到病毒：{signature}',
  doc_claim: '所属报销单 #{id}',
  doc_type: '票据类型',
  doc_edit_hint: '点击字段可修改',
  doc_field_invalid_money: '请输入金额，例如 12.30',
  doc_field_invalid_date: '请输入日期，格式如 2024-01-31',
  doc_field_invalid_currency: '请输入 3 位币种代码，例如 CNY',
  doc_field_too_long: '内容过长（最多 {max} 个字符）',

  doctype_vat_special: '增值税专用发票',
  doctype_vat_general: '增值税普通发票',
  doctype_vat_electronic: '增值税电子发票',
  doctype_digital_invoice: '数电发票',
  doctype_train_ticket: '火车票',
  doctype_taxi_receipt: '出租车票',
  doctype_quota_invoice: '定额发票',
  doctype_air_itinerary: '航空行程单',
  doctype_bus_ticket: '汽车票',
  doctype_toll_receipt: '通行费票据',
  doctype_receipt: '收据/小票',
  doctype_other: '其他票据',


  item_name: '项目',
  item_quantity: '数量',
  item_unit_price: '单价',
  item_amount: '金额',
  item_tax_rate: '税率',
  item_tax_amount: '税额',

  claims_title: '报销单',
  claims_new: '新建报销单',
  claims_title_placeholder: '报销事由，例如“3 月北京出差”',
  claims_currency: '币种',
  claims_create: '创建',
  claims_title_required: '请填写报销事由',
  claims_title_too_long: '报销事由最多 {max} 个字符',
  claims_empty: '还没有报销单',
  claims_docs_count: '{n} 张票据',


  claim_title: '报销单详情',
  claim_total: '合计',
  claim_conversions: '币种折算',
  claim_rate_line: '{amount} × {rate}（{date} 汇率，{source}）= {converted}',
  claim_no_rate: '{amount}：开票日当日或之前没有 {from} → {to} 汇率，未计入合计，财务添加前无法提交',
  claim_documents: '票据',
  claim_no_documents: '还没有票据',
  claim_add_existing: '添加已有票据',
  claim_upload_new: '拍照上传到此报销单',
  claim_submit: CLAIM_ACTION.submit['zh-CN'],
  claim_submit_confirm: '提交后将进入审批，确认提交吗？',
  claim_submitted: '已提交',
  claim_submit_failed: '提交失败',
  claim_timeline: '进度',
  claim_returned_because: '{actor} 退回了此报销单：{comment}',
  claim_returned_no_reason: '{actor} 退回了此报销单，请修改后重新提交。',
  claim_timeline_empty: '暂无记录',
  claim_delete: CLAIM_ACTION.delete['zh-CN'],
  claim_delete_confirm: '确认删除这个报销单吗？',
  claim_deleted: '已删除',
  claim_pick_title: '选择要添加的票据',
  claim_pick_empty: '没有可以添加的票据',
  claim_added: '已添加',


  me_title: '我的',
  me_notifications: '通知',
  notif_title: '通知',
  notif_empty: '暂无通知',
  notif_mark_all: '全部已读',
  notif_subscribe: '接收微信通知',
  notif_subscribed: '已开启微信通知',
  notif_not_subscribed: '未开启微信通知',
  me_roles: '角色',
  me_language: '语言',
  me_server: '服务器',
  me_scanning: '病毒扫描',
  me_scanning_on: '已启用',
  me_scanning_off: '不可用',
  me_sign_out: '退出登录',
  me_sign_out_confirm: '确认退出登录吗？',

  role_employee: '员工',
  role_approver: '审批人',
  role_finance: '财务',
  role_admin: '管理员',

  error_network: '网络连接失败，请检查网络后重试',
  error_server: '服务器出错（{status}），请稍后重试',
  error_http: '请求失败（{status}）',
  error_bad_response: '服务器返回了无法识别的数据',
  error_session_expired: '登录已过期，请重新登录',
  error_aborted: '已取消',
  error_invalid_binding_code: '绑定码无效或已被使用，请向管理员确认',
  error_wechat_unavailable: '微信服务暂时不可用，请稍后重试',
  error_invalid_code: '微信登录凭证已失效，请重试',
  error_invalid_credentials: '用户名或密码错误',
};

export type MessageKey = keyof typeof zhCN;
export type Messages = Record<MessageKey, string>;

const en: Messages = {
  app_name: 'Invoice Assistant',
  loading: 'Loading…',
  retry: 'Retry',
  cancel: 'Cancel',
  confirm: 'OK',
  save: 'Save',
  edit: 'Edit',
  close: 'Close',
  load_more: 'Load more',
  no_more: 'No more items',
  saved: 'Saved',
  none: '—',

  tab_documents: 'Invoices',
  tab_claims: 'Claims',
  tab_me: 'Me',

  login_title: 'Sign in',
  login_subtitle: 'Photograph invoices and track your claims',
  login_wechat_button: 'Sign in with WeChat',
  login_binding_title: 'First sign-in: link your employee account',
  login_binding_hint: 'Enter the one-time binding code your administrator gave you',
  login_binding_placeholder: 'Binding code',
  login_binding_submit: 'Link and sign in',
  login_binding_empty: 'Please enter the binding code',
  login_wechat_failed: 'WeChat sign-in failed, please try again',
  login_dev_title: 'Developer sign-in (password, development build only)',
  login_username: 'Username',
  login_password: 'Password',
  login_password_submit: 'Sign in',
  login_password_empty: 'Please enter a username and a password',
  login_server: 'Server address',
  login_server_invalid: 'Invalid server address: it must start with http:// or https://',
  login_success: 'Signed in',

  docs_title: 'My invoices',
  docs_upload: 'Photograph and upload',
  docs_empty: 'No invoices yet: tap the button above to upload one',
  docs_duplicate: 'Possible duplicate',

  doc_parts_found: '{n} documents found in this photo',
  doc_parts_hint: 'Each is read on its own, and can be edited and claimed on its own',
  doc_part_item: 'Document {i}',
  doc_part_of: 'Document {i} of the photo',

  upload_title: 'Upload invoices',
  upload_camera: 'Take photo',
  upload_album: 'Choose from album',
  upload_chat_file: 'Choose a file from a chat (PDF, OFD, XML, zip)',
  upload_from_archive: '{n} documents from this archive',
  upload_from_pdf: '{n} invoices from this PDF, one document each',
  upload_hint: 'Up to {max} at a time; large images are compressed before upload',
  upload_into_claim: 'Uploading into claim #{id}',
  upload_state_queued: 'Waiting',
  upload_state_compressing: 'Compressing',
  upload_state_uploading: 'Uploading {progress}%',
  upload_state_done: 'Uploaded',
  upload_state_failed: 'Upload failed',
  upload_retry: 'Retry',
  upload_view: 'View',
  upload_too_large: 'The file is {size}, over the {limit} limit',
  upload_summary: '{done}/{total} done',
  upload_empty: 'Pick or take photos of invoices; their upload progress shows here',

  doc_title: 'Invoice',
  doc_polling: 'Processing; refreshing every 2 s…',
  doc_queue_ahead: 'Waiting: {n} document(s) ahead of yours',
  doc_queue_next: 'Waiting: yours is next',
  doc_step_received: 'Received',
  doc_step_scanning: 'Scan',
  doc_step_processing: 'Reading',
  doc_step_result: 'Result',
  doc_fields: 'Extracted fields',
  doc_confidence: 'Confidence {pct}',
  doc_low_confidence: 'Low confidence: please check',
  prov_verified: 'Verified',
  prov_read: 'Read',
  prov_edited: 'Edited',
  prov_from: 'Source: {source}',
  evidence_original: 'Read as {value}',
  evidence_original_from: 'Read as {value} ({source})',
  evidence_made_up: 'Not on the document: entered by a person',
  evidence_cleared: 'Removed by a person',
  evidence_by: 'changed by {name}, {when}',
  evidence_old_warning: 'Before the edit: {message}',
  policy_title: 'Will be refused at submit',
  scan_not_scanned: 'Not virus-scanned',
  scan_too_large: 'Too large to scan',
  doc_locked: 'This claim is locked: it can no longer be changed.',
  claim_remove: CLAIM_ACTION.remove_document.en,
  claim_move: CLAIM_ACTION.move_document.en,
  claim_move_none: 'No other draft claim to move it to',
  claim_removed: 'Removed',
  claim_moved: 'Moved',
  source_qr: 'QR code',
  source_xml: 'XML',
  source_ofd: 'OFD',
  source_pdf_text: 'PDF text',
  source_ocr: 'OCR',
  source_vlm: 'model',
  source_remote: 'remote model',
  source_employee: 'edited by employee',
  doc_warnings: 'Checks',
  doc_no_extraction: 'No extracted fields yet',
  doc_error: 'Error',
  doc_line_items: 'Line items',
  doc_view_image: 'View image',
  doc_duplicate: 'May duplicate invoice #{id}',
  review_reasons: 'Why a person must check this document',
  review_reason_duplicate: 'It may be a copy of a document already uploaded.',
  review_reason_missing: '{field} was not found on the document.',
  review_reason_unverified:
    '{field} was read once and nothing confirms it (no QR code or e-invoice data, no cross-check it passed): compare it with the document.',
  review_reason_warning: 'A check failed: {message}',
  review_reason_warning_on: 'A check failed on {field}: {message}',
  doc_infected: 'Virus found: {signature}',
  doc_claim: 'In claim #{id}',
  doc_type: 'Type',
  doc_edit_hint: 'Tap a field to correct it',
  doc_field_invalid_money: 'Enter an amount such as 12.30',
  doc_field_invalid_date: 'Enter a date such as 2024-01-31',
  doc_field_invalid_currency: 'Enter a 3-letter currency code such as CNY',
  doc_field_too_long: 'Too long (at most {max} characters)',

  doctype_vat_special: 'VAT special invoice',
  doctype_vat_general: 'VAT general invoice',
  doctype_vat_electronic: 'VAT e-invoice',
  doctype_digital_invoice: 'Digital invoice',
  doctype_train_ticket: 'Train ticket',
  doctype_taxi_receipt: 'Taxi receipt',
  doctype_quota_invoice: 'Fixed-amount invoice',
  doctype_air_itinerary: 'Flight itinerary',
  doctype_bus_ticket: 'Bus ticket',
  doctype_toll_receipt: 'Toll receipt',
  doctype_receipt: 'Receipt',
  doctype_other: 'Other',


  item_name: 'Item',
  item_quantity: 'Qty',
  item_unit_price: 'Unit price',
  item_amount: 'Amount',
  item_tax_rate: 'Tax rate',
  item_tax_amount: 'Tax',

  claims_title: 'Claims',
  claims_new: 'New claim',
  claims_title_placeholder: 'Purpose, e.g. "Beijing trip, March"',
  claims_currency: 'Currency',
  claims_create: 'Create',
  claims_title_required: 'Please enter the purpose of the claim',
  claims_title_too_long: 'At most {max} characters',
  claims_empty: 'No claims yet',
  claims_docs_count: '{n} invoice(s)',


  claim_title: 'Claim',
  claim_total: 'Total',
  claim_conversions: 'Currency conversion',
  claim_rate_line: '{amount} × {rate} (rate of {date}, {source}) = {converted}',
  claim_no_rate: '{amount}: no {from} → {to} rate on or before its date; not in the total, and the claim cannot be submitted until finance adds one',
  claim_documents: 'Invoices',
  claim_no_documents: 'No invoices yet',
  claim_add_existing: 'Add an uploaded invoice',
  claim_upload_new: 'Photograph into this claim',
  claim_submit: CLAIM_ACTION.submit.en,
  claim_submit_confirm: 'The claim goes to approval and can no longer be edited. Submit?',
  claim_submitted: 'Submitted',
  claim_submit_failed: 'Could not submit',
  claim_timeline: 'Timeline',
  claim_returned_because: 'Returned by {actor}: {comment}',
  claim_returned_no_reason: 'Returned by {actor} for changes.',
  claim_timeline_empty: 'Nothing yet',
  claim_delete: CLAIM_ACTION.delete.en,
  claim_delete_confirm: 'Delete this claim?',
  claim_deleted: 'Deleted',
  claim_pick_title: 'Choose an invoice to add',
  claim_pick_empty: 'No invoices to add',
  claim_added: 'Added',


  me_title: 'Me',
  me_notifications: 'Notifications',
  notif_title: 'Notifications',
  notif_empty: 'Nothing here',
  notif_mark_all: 'Mark all read',
  notif_subscribe: 'Get WeChat messages',
  notif_subscribed: 'WeChat messages on',
  notif_not_subscribed: 'WeChat messages off',
  me_roles: 'Roles',
  me_language: 'Language',
  me_server: 'Server',
  me_scanning: 'Virus scanning',
  me_scanning_on: 'On',
  me_scanning_off: 'Unavailable',
  me_sign_out: 'Sign out',
  me_sign_out_confirm: 'Sign out now?',

  role_employee: 'Employee',
  role_approver: 'Approver',
  role_finance: 'Finance',
  role_admin: 'Administrator',

  error_network: 'Network error: check the connection and try again',
  error_server: 'Server error ({status}): please try again later',
  error_http: 'Request failed ({status})',
  error_bad_response: 'The server sent a response the app cannot read',
  error_session_expired: 'Your session has expired: please sign in again',
  error_aborted: 'Cancelled',
  error_invalid_binding_code: 'The binding code is invalid or already used: check with your administrator',
  error_wechat_unavailable: 'WeChat is not reachable right now: please try again later',
  error_invalid_code: 'The WeChat sign-in code has expired: please try again',
  error_invalid_credentials: 'Wrong username or password',
};

export type Lang = 'zh-CN' | 'en';
export const LANGUAGES: readonly Lang[] = ['zh-CN', 'en'];
export const LANG_STORAGE_KEY = 'ia.lang';

const DICTIONARIES: Record<Lang, Messages> = { 'zh-CN': zhCN, en };

/** WeChat reports e.g. "zh_CN", "zh_TW", "en", "en_US"; anything not English gets zh-CN. */
export function detectLanguage(systemLanguage: string | undefined | null): Lang {
  const lower = (systemLanguage ?? '').toLowerCase();
  return lower === 'en' || lower.startsWith('en_') || lower.startsWith('en-') ? 'en' : 'zh-CN';
}

function systemLanguage(): string | undefined {
  try {
    return wx.getSystemInfoSync().language;
  } catch {
    return undefined;
  }
}

export function getLanguage(): Lang {
  const stored = wx.getStorageSync(LANG_STORAGE_KEY);
  if (stored === 'zh-CN' || stored === 'en') return stored;
  return detectLanguage(systemLanguage());
}

export function setLanguage(lang: Lang): void {
  wx.setStorageSync(LANG_STORAGE_KEY, lang);
}

export function messages(lang: Lang = getLanguage()): Messages {
  return DICTIONARIES[lang];
}

export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(zhCN, key);
}

export type Params = Record<string, string | number>;

/** Fills `{name}` placeholders; an unknown placeholder stays visible rather than vanishing. */
export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

export function t(key: MessageKey, params?: Params, lang: Lang = getLanguage()): string {
  return interpolate(DICTIONARIES[lang][key], params);
}

/** For server-provided names (statuses, actions, roles): the translation if any, else the raw name. */
export function tOr(key: string, fallback: string, lang: Lang = getLanguage()): string {
  return hasMessage(key) ? DICTIONARIES[lang][key] : fallback;
}
