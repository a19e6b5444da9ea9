import { ApiError } from '../../../utils/api';
import {
  DocumentPoller,
  checkFieldEdit,
  documentWarnings,
  fieldProvenance,
  fieldRows,
  lineItemRows,
  partsView,
  pipelineSteps,
  queueLabel,
  reviewReasons,
  statusView,
} from '../../../pages/document/logic';
import type { DocumentDto, DocumentStatus } from '../../../utils/types';
import { makeDocument, makeExtraction } from '../../helpers/fixtures';
import { wxControl } from '../../helpers/wx';

beforeEach(() => wxControl().reset());

describe('status', () => {
  const cases: Array<[DocumentStatus, string, boolean, string]> = [
    ['received', '已接收', false, 'current,todo,todo,todo'],
    ['scanning', '病毒扫描中', false, 'done,current,todo,todo'],
    ['clean', '扫描通过', false, 'done,done,current,todo'],
    ['processing', '识别中', false, 'done,done,current,todo'],
    ['extracted', '已识别', true, 'done,done,done,done'],
    ['needs_review', '需人工核对', true, 'done,done,done,done'],
    ['failed', '处理失败', true, 'done,done,error,todo'],
    ['infected', '含病毒，已删除', true, 'done,error,todo,todo'],
    ['rejected', '已拒收', true, 'done,error,todo,todo'],
  ];

  test.each(cases)('%s is shown as "%s" (terminal: %s) with steps %s', (status, label, terminal, steps) => {
    const view = statusView(status, terminal, 'zh-CN');
    expect(view.label).toBe(label);
    expect(view.steps.map((s) => s.state).join()).toBe(steps);
  });

  test('an unknown status shows its raw name, finished or not as the server says', () => {
    // Given statuses a newer server sends, one it calls terminal and one it does not
    const done = statusView('archived', true, 'en');
    const moving = statusView('queued_for_ocr', false, 'en');
    // Then each shows by its name, the finished one at the last step, the other at the first
    expect(done.label).toBe('archived');
    expect(done.terminal).toBe(true);
    expect(done.steps.map((s) => s.state).join()).toBe('done,done,done,done');
    expect(moving.terminal).toBe(false);
    expect(moving.steps.map((s) => s.state).join()).toBe('current,todo,todo,todo');
  });

  test('step labels follow the language', () => {
    expect(pipelineSteps('received', false, 'en').map((s) => s.label)).toEqual(['Received', 'Scan', 'Reading', 'Result']);
  });

  test('a waiting document shows its place in line, in both languages', () => {
    // Given the API's queue_position while the document waits, then after reading started
    expect(queueLabel(2, 'en')).toBe('Waiting: 2 document(s) ahead of yours');
    expect(queueLabel(2, 'zh-CN')).toBe('排队中：前面还有 2 份单据');
    expect(queueLabel(0, 'en')).toBe('Waiting: yours is next');
    expect(queueLabel(null, 'en')).toBe('');
    expect(queueLabel(undefined, 'zh-CN')).toBe('');
  });
});

describe('fields', () => {
  test('each field carries its warnings, confidence and a low-confidence flag', () => {
    const rows = fieldRows(makeExtraction(), 'zh-CN');
    const seller = rows.find((r) => r.name === 'seller_name')!;
    const taxId = rows.find((r) => r.name === 'seller_tax_id')!;
    const total = rows.find((r) => r.name === 'total_amount')!;

    expect(rows).toHaveLength(13);
    expect(seller).toMatchObject({ label: '销售方名称', confidence: '置信度 62%', lowConfidence: true });
    expect(taxId.warnings).toEqual(['Seller tax ID fails its checksum.']);
    expect(total).toMatchObject({ display: '¥1,060.00', raw: '1060.00', lowConfidence: false, inputType: 'digit' });
  });

  test('missing values show a dash and no confidence', () => {
    const extraction = makeExtraction();
    extraction.fields.buyer_name = null;
    extraction.confidence.buyer_name = 0.1;
    const buyer = fieldRows(extraction).find((r) => r.name === 'buyer_name')!;
    expect(buyer).toMatchObject({ display: '—', raw: '', confidence: '', lowConfidence: false });
  });

  test('each field carries its provenance marker and source, in both languages', () => {
    // given a number read from the QR code, a total edited by the employee, a seller by the model
    const extraction = makeExtraction({
      sources: { invoice_number: 'qr', total_amount: 'employee', seller_name: 'vlm' },
      status: { invoice_number: 'verified', total_amount: 'edited', seller_name: 'read' },
    });
    // when the rows are built
    const zh = fieldRows(extraction, 'zh-CN');
    const en = fieldRows(extraction, 'en');
    const row = (rows: typeof zh, name: string) => rows.find((r) => r.name === name)!;
    // then each says what it is worth and where it came from
    expect(row(zh, 'invoice_number')).toMatchObject({
      provenance: 'verified',
      provenanceLabel: '已核验',
      sourceLabel: '来源：二维码',
    });
    expect(row(zh, 'total_amount')).toMatchObject({ provenance: 'edited', sourceLabel: '来源：员工修改' });
    expect(row(zh, 'seller_name')).toMatchObject({ provenanceLabel: '已识别', sourceLabel: '来源：模型' });
    expect(row(en, 'invoice_number')).toMatchObject({ provenanceLabel: 'Verified', sourceLabel: 'Source: QR code' });
    expect(row(en, 'total_amount')).toMatchObject({ provenanceLabel: 'Edited', sourceLabel: 'Source: edited by employee' });
    // and a field without a status (or an older server) has no marker
    expect(row(zh, 'buyer_name')).toMatchObject({ provenance: '', provenanceLabel: '', sourceLabel: '' });
    expect(fieldProvenance(makeExtraction(), 'total_amount')).toEqual({
      provenance: '',
      provenanceLabel: '',
      sourceLabel: '',
    });
  });

  test('document-level warnings are listed apart', () => {
    expect(documentWarnings(makeExtraction())).toEqual(['Looks like an invoice uploaded before.']);
  });

  test('why a document waits for a person is said in words, in both languages', () => {
    // Given a seller read once, a missing date and a failed arithmetic check
    const extraction = {
      ...makeExtraction(),
      review_reasons: ['warning:arithmetic_mismatch', 'missing:issue_date', 'unverified:seller_name'],
      warnings: [{ code: 'arithmetic_mismatch', field: 'total_amount', message: '金额 + 税额 ≠ 价税合计' }],
    };
    // When shown in Chinese and in English
    const zh = reviewReasons(extraction, 'zh-CN');
    const en = reviewReasons(extraction, 'en');
    // Then each reason names its field in words, never a code
    expect(zh).toEqual([
      '价税合计校验未通过：金额 + 税额 ≠ 价税合计',
      '单据上未找到开票日期。',
      expect.stringContaining('销售方名称只识别了一次'),
    ]);
    expect(en[1]).toBe('Issue date was not found on the document.');
    expect(en[2]).toMatch(/^Seller was read once/);
    // and an older server without reasons gives none
    expect(reviewReasons(makeExtraction(), 'en')).toEqual([]);
  });

  test('line items are formatted', () => {
    expect(lineItemRows(makeExtraction().fields.line_items)[0]).toMatchObject({
      name: '餐饮服务',
      amount: '1,000.00',
      taxRate: '6%',
    });
  });
});

describe('checking an edit', () => {
  test('money is cleaned of symbols and separators', () => {
    expect(checkFieldEdit('total_amount', ' ¥1,234.5 ')).toEqual({ ok: true, value: '1234.5' });
    expect(checkFieldEdit('total_amount', '12.345', 'en')).toEqual({
      ok: false,
      message: 'Enter an amount such as 12.30',
    });
  });

  test('dates accept Chinese and slashed forms and must exist', () => {
    expect(checkFieldEdit('issue_date', '2024年3月5日')).toEqual({ ok: true, value: '2024-03-05' });
    expect(checkFieldEdit('issue_date', '2024/02/30').ok).toBe(false);
  });

  test('currencies are upper-cased ISO codes', () => {
    expect(checkFieldEdit('currency', 'usd')).toEqual({ ok: true, value: 'USD' });
    expect(checkFieldEdit('currency', 'RMB元').ok).toBe(false);
  });

  test('an empty value clears the field', () => {
    expect(checkFieldEdit('buyer_name', '   ')).toEqual({ ok: true, value: null });
  });
});

describe('DocumentPoller', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Lets the poller's awaited load() settle. */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  test('polls every 2 s until the document is terminal, then stops', async () => {
    // given a document that moves through the pipeline
    const statuses: DocumentStatus[] = ['received', 'scanning', 'processing', 'extracted'];
    const seen: string[] = [];
    let calls = 0;
    const poller = new DocumentPoller({
      load: async () => makeDocument({ status: statuses[Math.min(calls++, statuses.length - 1)] }),
      onUpdate: (doc) => seen.push(doc.status),
    });

    // when polling starts, one load happens at once
    poller.start();
    await settle();
    expect(seen).toEqual(['received']);

    // and nothing more before 2 s have passed
    jest.advanceTimersByTime(1999);
    await settle();
    expect(seen).toEqual(['received']);

    // then every 2 s the next state arrives until "extracted"
    for (let i = 0; i < 3; i++) {
      jest.advanceTimersByTime(1);
      await settle();
      jest.advanceTimersByTime(1999);
      await settle();
    }
    expect(seen).toEqual(['received', 'scanning', 'processing', 'extracted']);
    expect(poller.isRunning).toBe(false);

    // and no more requests are made
    jest.advanceTimersByTime(10000);
    await settle();
    expect(calls).toBe(4);
  });

  test('a status the app does not know is followed until the server calls it terminal', async () => {
    // given a newer server's state, first in progress, then finished
    const answers = [
      makeDocument({ status: 'ocr_queued' as DocumentStatus, is_terminal: false }),
      makeDocument({ status: 'archived' as DocumentStatus, is_terminal: true }),
    ];
    let calls = 0;
    const poller = new DocumentPoller({ load: async () => answers[Math.min(calls++, 1)], onUpdate: () => {} });
    // when it is followed
    poller.start();
    await settle();
    expect(poller.isRunning).toBe(true);
    jest.advanceTimersByTime(2000);
    await settle();
    // then polling goes on through the unknown state and stops at the terminal one
    expect(calls).toBe(2);
    expect(poller.isRunning).toBe(false);
  });

  test('keeps polling through network errors but stops on 404', async () => {
    // given a load that fails twice, differently
    const errors: unknown[] = [];
    const results: Array<() => DocumentDto> = [
      () => {
        throw new ApiError(0, 'network_error', 'offline');
      },
      () => {
        throw new ApiError(404, 'not_found', 'gone');
      },
    ];
    let calls = 0;
    const poller = new DocumentPoller({
      load: async () => results[calls++](),
      onUpdate: () => undefined,
      onError: (err) => errors.push(err),
    });

    // when polling runs
    poller.start();
    await settle();
    jest.advanceTimersByTime(2000);
    await settle();
    jest.advanceTimersByTime(10000);
    await settle();

    // then the network error was retried and the 404 ended it
    expect(calls).toBe(2);
    expect(errors.map((e) => (e as ApiError).code)).toEqual(['network_error', 'not_found']);
    expect(poller.isRunning).toBe(false);
  });

  test('stop() cancels the next poll and ignores a load already in flight', async () => {
    let calls = 0;
    const seen: string[] = [];
    let release!: (doc: DocumentDto) => void;
    const poller = new DocumentPoller({
      load: () => {
        calls += 1;
        return new Promise<DocumentDto>((resolve) => (release = resolve));
      },
      onUpdate: (doc) => seen.push(doc.status),
    });
    poller.start();
    poller.stop();
    release(makeDocument({ status: 'received' }));
    await settle();
    jest.advanceTimersByTime(10000);
    await settle();
    expect(seen).toEqual([]);
    expect(calls).toBe(1);
  });
});

describe('a photo of several documents', () => {
  const part = (id: number, part_index: number): NonNullable<DocumentDto['parts']>[number] => ({
    id,
    url: `/api/v1/documents/${id}/`,
    part_index,
    region: [0, 0, 10, 10],
    status: 'extracted',
  });

  test('a split photo says how many documents it showed and lists them in reading order', () => {
    // Given a photo the server split into three documents (listed out of order)
    const photo = makeDocument({ status: 'split', parts: [part(12, 3), part(10, 1), part(11, 2)] });
    // When it is shown, in both languages
    const zh = partsView(photo, 'zh-CN');
    const en = partsView(photo, 'en');
    // Then the count is said and each part is a row of its own, first to last
    expect(zh.partsLabel).toBe('在这张照片中找到 3 张票据');
    expect(en.partsLabel).toBe('3 documents found in this photo');
    expect(en.parts.map((p) => [p.id, p.label, p.status])).toEqual([
      [10, 'Document 1', 'Fields extracted'],
      [11, 'Document 2', 'Fields extracted'],
      [12, 'Document 3', 'Fields extracted'],
    ]);
    expect(statusView('split', true, 'zh-CN').steps.map((s) => s.state).join()).toBe('done,done,done,done');
  });

  test('a part names which document of the photo it is; a single document says nothing', () => {
    const child = makeDocument({ parent: 9, part_index: 2 });
    expect(partsView(child, 'zh-CN').partOfLabel).toBe('照片中的第 2 张票据');
    expect(partsView(makeDocument(), 'en')).toEqual({ partsLabel: '', parts: [], partOfLabel: '' });
  });
});
