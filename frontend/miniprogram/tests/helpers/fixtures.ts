/** API payloads shaped like the contract, for the fake server and the pure-logic tests. */
import type { ClaimDto, DocumentDto, Extraction } from '../../utils/types';

export function makeExtraction(overrides: Partial<Extraction> = {}): Extraction {
  return {
    document_type: 'vat_electronic',
    fields: {
      invoice_code: '011002100111',
      invoice_number: '12345678',
      issue_date: '2024-03-05',
      seller_name: '北京某某餐饮有限公司',
      seller_tax_id: '91110000600037341L',
      buyer_name: '示例科技有限公司',
      buyer_tax_id: '91440300MA5EJRPEXF',
      amount_excluding_tax: '1000.00',
      tax_amount: '60.00',
      total_amount: '1060.00',
      total_in_words: '壹仟零陆拾元整',
      check_code: '12345678901234567890',
      currency: 'CNY',
      line_items: [
        {
          name: '餐饮服务',
          quantity: '1',
          unit_price: '1000',
          amount: '1000.00',
          tax_rate: '6%',
          tax_amount: '60.00',
        },
      ],
    },
    confidence: { total_amount: 0.98, seller_name: 0.62, invoice_number: 0.95 },
    warnings: [
      { code: 'tax_id_checksum', message: 'Seller tax ID fails its checksum.', field: 'seller_tax_id' },
      { code: 'possible_duplicate', message: 'Looks like an invoice uploaded before.', field: null },
    ],
    engine: 'ocr',
    sources: {},
    agreeing: {},
    status: {},
    edits: {},
    regions: {},
    review_reasons: [],
    engine_version: '',
    model_version: '',
    prompt_version: '',
    from_cache: false,
    timings: {},
    created_at: '2024-03-05T06:07:09Z',
    ...overrides,
  };
}

// What the server answers for the document's owner unless a test says otherwise: a
// document still in the pipeline is not terminal; the owner may edit a read one.
const IN_PIPELINE = ['received', 'scanning', 'clean', 'processing'];

export function makeDocument(overrides: Partial<DocumentDto> = {}): DocumentDto {
  const id = overrides.id ?? 7;
  const status = overrides.status ?? 'extracted';
  return {
    is_terminal: !IN_PIPELINE.includes(status),
    allowed_actions: ['edit', 'view_original'],
    id,
    status: 'extracted',
    original_filename: 'invoice.png',
    mime_type: 'image/png',
    size: 12345,
    page_count: 1,
    claim: null,
    created_at: '2024-03-05T06:07:08Z',
    updated_at: '2024-03-05T06:07:09Z',
    error: null,
    scan: { verdict: 'clean', signature: null, scanned_at: '2024-03-05T06:07:08Z' },
    extraction: makeExtraction(),
    duplicate_of: null,
    file_url: `/api/v1/documents/${id}/file/`,
    url: `/api/v1/documents/${id}/`,
    sha256: '',
    status_changed_at: null,
    scanned_at: '2024-03-05T06:07:08Z',
    processing_started_at: null,
    completed_at: null,
    same_invoice_as: null,
    batch: null,
    parent: null,
    part_index: null,
    region: null,
    parts: [],
    category: '',
    queue_position: null,
    claim_status: null,
    can_edit: null,
    policy: [],
    ...overrides,
  };
}

// The actions the server lists for a claim's owner, by the claim's status.
const OWNER_ACTIONS: Record<string, ClaimDto['allowed_actions']> = {
  draft: ['edit', 'delete', 'add_documents', 'remove_document', 'move_document', 'submit', 'comment'],
  returned: ['edit', 'add_documents', 'remove_document', 'move_document', 'submit', 'comment'],
};

export function makeClaim(overrides: Partial<ClaimDto> = {}): ClaimDto {
  const status = overrides.status ?? 'draft';
  return {
    is_terminal: status === 'paid' || status === 'rejected',
    allowed_actions: OWNER_ACTIONS[status] ?? ['comment'],
    id: 3,
    title: '3 月北京出差',
    status: 'draft',
    currency: 'CNY',
    total: '1060.00',
    documents: [7],
    events: [{ action: 'created', actor: 'zhang.san', created_at: '2024-03-05T06:00:00Z', comment: null }],
    created_at: '2024-03-05T06:00:00Z',
    updated_at: '2024-03-05T06:00:00Z',
    owner: 'zhang.san',
    owner_name: '张三',
    conversions: [],
    ...overrides,
  };
}
