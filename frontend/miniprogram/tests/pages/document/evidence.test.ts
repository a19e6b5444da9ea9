import { evidenceLines, mayEdit, policyLines, scanNote, shownStatus } from '../../../pages/document/evidence';
import { moveTargets } from '../../../pages/claim/logic';
import type { ClaimDto } from '../../../utils/types';
import { makeClaim, makeDocument, makeExtraction } from '../../helpers/fixtures';

const EDIT = {
  original: '2018-05-01',
  original_source: 'ocr',
  made_up: false,
  cleared: false,
  original_warnings: [{ code: 'date_too_old', message: '日期过早', field: 'issue_date' }],
  edited_by: 'Emma Li',
  edited_at: '2026-12-06T10:00:00Z',
  edit_count: 1,
};

describe('edits are evidence', () => {
  it('shows the reading, who changed it and the warning it had', () => {
    // Given a document whose date a person changed
    const extraction = { ...makeExtraction(), edits: { issue_date: EDIT } };
    // When the lines under the date are built, in Chinese and in English
    const zh = evidenceLines(extraction, 'issue_date', 'zh-CN');
    const en = evidenceLines(extraction, 'issue_date', 'en');
    // Then they name the original reading, its source, the editor and the old warning
    expect(zh[0]).toMatch(/^原识别值：2018-05-01（/);
    expect(zh[1]).toContain('Emma Li 于');
    expect(zh[2]).toBe('修改前的提示：日期过早');
    expect(en[0]).toMatch(/^Read as 2018-05-01 \(/);
    expect(evidenceLines(extraction, 'total_amount', 'en')).toEqual([]);
  });

  it('says when the document had no such value', () => {
    const extraction = { ...makeExtraction(), edits: { issue_date: { ...EDIT, original: null, made_up: true } } };
    expect(evidenceLines(extraction, 'issue_date', 'en')[0]).toBe('Not on the document: entered by a person');
  });
});

describe('policy and locked claims', () => {
  it('lists what the policy will refuse and is not green for it', () => {
    const doc = makeDocument({ status: 'extracted', policy: [{ code: 'invoice_too_old', message: 'too old' }] });
    expect(policyLines(doc)).toEqual(['too old']);
    expect(shownStatus(doc).tone).toBe('warn');
  });

  it('does not let anyone edit a locked claim, and calls its reviewed documents checked', () => {
    expect(mayEdit(makeDocument({ claim_status: 'paid', allowed_actions: ['view_original'] }))).toBe(false);
    expect(mayEdit(makeDocument({ claim_status: 'draft', allowed_actions: ['edit'] }))).toBe(true);
    expect(shownStatus(makeDocument({ status: 'needs_review', claim_status: 'finance_approved' }))).toEqual({
      status: 'checked',
      tone: 'ok',
    });
  });

  it('says a document was not virus-scanned', () => {
    const doc = makeDocument({ scan: { verdict: 'not_scanned', signature: null, scanned_at: '' } });
    expect(scanNote(doc, 'zh-CN')).toBe('未经病毒扫描');
    expect(scanNote(makeDocument(), 'en')).toBe('');
  });
});

describe('moving a document', () => {
  it('offers only the other drafts and returned claims', () => {
    const claim = (id: number, status: ClaimDto['status']): ClaimDto =>
      makeClaim({ id, title: `c${id}`, status, total: '0', documents: [], events: [] });
    const targets = moveTargets([claim(1, 'draft'), claim(2, 'draft'), claim(3, 'submitted'), claim(4, 'returned')], 1);
    expect(targets.map((c) => c.id)).toEqual([2, 4]);
  });
});
