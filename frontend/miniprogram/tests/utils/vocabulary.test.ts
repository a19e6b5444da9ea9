import { readFileSync } from 'fs';
import { join } from 'path';
import { FIELD_ORDER } from '../../pages/document/logic';
import { claimStatusLabel, claimStatusTone, documentStatusLabel, documentStatusTone } from '../../utils/status';
import type { ClaimAction, ClaimStatus, DocumentAction, DocumentStatus } from '../../utils/types';
import {
  CLAIM_ACTION,
  CLAIM_STATUS,
  DOCUMENT_ACTION,
  DOCUMENT_STATUS,
  FIELD,
  Label,
  StatusLabel,
} from '../../utils/vocabulary';

// tsc fails here when the server's schema (the generated enums) names a status or an
// action, or the page a field, that the shared vocabulary has no entry for.
const documentStatuses: Record<DocumentStatus, StatusLabel> = DOCUMENT_STATUS;
const claimStatuses: Record<ClaimStatus, StatusLabel> = CLAIM_STATUS;
const fields: Record<(typeof FIELD_ORDER)[number], Label> = FIELD;
const claimActions: Record<ClaimAction, Label> = CLAIM_ACTION;
const documentActions: Record<DocumentAction, Label> = DOCUMENT_ACTION;

test('the copy in utils/ is the shared vocabulary (make frontend-codegen after editing it)', () => {
  const shared = readFileSync(join(__dirname, '..', '..', '..', 'shared', 'vocabulary.ts'), 'utf8');
  const copy = readFileSync(join(__dirname, '..', '..', 'utils', 'vocabulary.ts'), 'utf8');
  expect(copy.startsWith('// A copy of frontend/shared/vocabulary.ts')).toBe(true);
  expect(copy.endsWith(shared)).toBe(true);
});

test('statuses read as the vocabulary says, in its tones', () => {
  expect(Object.keys(documentStatuses).length + Object.keys(claimStatuses).length).toBeGreaterThan(0);
  expect(documentStatusLabel('needs_review', 'zh-CN')).toBe('需人工核对');
  expect(documentStatusTone('needs_review')).toBe('warn');
  expect(claimStatusLabel('manager_approved', 'zh-CN')).toBe('主管已审批');
  expect(claimStatusTone('finance_approved')).toBe('ok');
  expect(fields.seller_name['zh-CN']).toBe('销售方名称');
  expect(claimActions.submit['zh-CN']).toBe('提交审批');
  expect(documentActions.resolve_duplicate.en).toBe('Not a duplicate');
});

test('a status it does not know shows by its name, in a neutral tone', () => {
  expect(documentStatusLabel('archived', 'en')).toBe('archived');
  expect(documentStatusTone('archived')).toBe('neutral');
  expect(claimStatusTone('archived')).toBe('neutral');
});
