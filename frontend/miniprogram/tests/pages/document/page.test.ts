/**
 * @jest-environment jsdom
 */
import { FakeApiServer, errorBody } from '../../helpers/apiServer';
import { makeDocument, makeExtraction } from '../../helpers/fixtures';
import { makePng } from '../../helpers/png';
import { loadComponent, render, tap, textOf, type, waitFor } from '../../helpers/simulate';
import { wxControl } from '../../helpers/wx';

const server = new FakeApiServer();
let pageId: string;

beforeAll(async () => {
  await server.start();
  pageId = loadComponent('pages/document/index');
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
  wxControl().storage.set('ia.token', 'tok');
  server.on('GET', '/api/v1/documents/7/file/', { text: makePng(4, 4).toString('latin1') });
});

test('polls while processing, then shows fields with their warnings', async () => {
  // given a document still being read, done at the next poll
  server.sequence('GET', '/api/v1/documents/7/', [
    { body: makeDocument({ status: 'processing', extraction: null }) },
    { body: makeDocument({ status: 'needs_review' }) },
  ]);
  const page = render(pageId);

  // when the page opens
  page.instance.onLoad({ id: '7' });
  await waitFor(() => page.data.loaded);

  // then the state is visible and the page says it is refreshing
  expect(textOf(page.querySelector('.status-label'))).toBe('识别中');
  expect(page.querySelector('.polling')).toBeTruthy();
  expect(page.querySelector('.no-extraction')).toBeTruthy();

  // when the next poll (2 s later) finds the result
  await waitFor(() => page.data.view.status === 'needs_review', 4000);

  // then polling stops and the fields show with warnings and confidence
  expect(textOf(page.querySelector('.status-label'))).toBe('需人工核对');
  expect(page.querySelector('.polling')).toBeUndefined();
  expect(textOf(page.querySelector('.field-total_amount .field-value'))).toBe('¥1,060.00');
  expect(textOf(page.querySelector('.field-seller_tax_id .field-warning'))).toBe('Seller tax ID fails its checksum.');
  expect(textOf(page.querySelector('.field-seller_name .confidence'))).toBe('置信度 62%');
  expect(textOf(page.querySelector('.field-seller_name .low-confidence'))).toBe('· 置信度低，请核对');
  expect(page.querySelector('.field-total_amount .low-confidence')).toBeUndefined();
  expect(textOf(page.querySelector('.doc-warning'))).toBe('Looks like an invoice uploaded before.');
  page.instance.onUnload();
  const polls = server.requestsTo('GET', '/api/v1/documents/7/').length;
  expect(polls).toBe(2);
}, 10000);

test('editing a field sends the correction and shows the new value', async () => {
  // given an extracted document
  server.on('GET', '/api/v1/documents/7/', { body: makeDocument() });
  const corrected = makeExtraction();
  corrected.fields.total_amount = '1234.50';
  server.on('PUT', '/api/v1/documents/7/fields/', { body: makeDocument({ extraction: corrected }) });
  const page = render(pageId);
  page.instance.onLoad({ id: '7' });
  await waitFor(() => page.data.loaded);

  // when the user taps the total, types a new amount and saves
  await tap(page.querySelector('.field-total_amount'));
  expect(page.querySelector('.editor')).toBeTruthy();
  await type(page.querySelector('.edit-input'), '¥1,234.5');
  await tap(page.querySelector('.save-btn'));
  await waitFor(() => page.data.editing === '');

  // then the cleaned value went to the server and the page shows it
  expect(server.requestsTo('PUT', '/api/v1/documents/7/fields/')[0].json).toEqual({
    field: 'total_amount',
    value: '1234.5',
  });
  expect(textOf(page.querySelector('.field-total_amount .field-value'))).toBe('¥1,234.50');
  page.instance.onUnload();
});

test('each field is marked verified, read or edited, and tapping the marker names the source', async () => {
  // given a document whose number came from the QR code, total edited by the employee
  const extraction = makeExtraction({
    sources: { invoice_number: 'qr', total_amount: 'employee', seller_name: 'ocr' },
    status: { invoice_number: 'verified', total_amount: 'edited', seller_name: 'read' },
  });
  server.on('GET', '/api/v1/documents/7/', { body: makeDocument({ extraction }) });
  const page = render(pageId);
  page.instance.onLoad({ id: '7' });
  await waitFor(() => page.data.loaded);

  // then each field with a status carries its marker, the others none
  expect(textOf(page.querySelector('.field-invoice_number .prov-verified'))).toBe('已核验');
  expect(textOf(page.querySelector('.field-total_amount .prov-edited'))).toBe('已修改');
  expect(textOf(page.querySelector('.field-seller_name .prov-read'))).toBe('已识别');
  expect(page.querySelector('.field-buyer_name .prov')).toBeUndefined();

  // when the user taps the total's marker
  await tap(page.querySelector('.field-total_amount .prov'));

  // then its source shows, and the editor stays closed
  expect(textOf(page.querySelector('.field-total_amount .field-source'))).toBe('来源：员工修改');
  expect(page.querySelector('.editor')).toBeUndefined();
  page.instance.onUnload();
});

test('a refused edit keeps the editor open with the server message', async () => {
  server.on('GET', '/api/v1/documents/7/', { body: makeDocument() });
  server.on('PUT', '/api/v1/documents/7/fields/', {
    status: 409,
    body: errorBody('claim_locked', 'The claim was submitted; fields can no longer change.'),
  });
  const page = render(pageId);
  page.instance.onLoad({ id: '7' });
  await waitFor(() => page.data.loaded);

  await tap(page.querySelector('.field-buyer_name'));
  await type(page.querySelector('.edit-input'), '新公司');
  await tap(page.querySelector('.save-btn'));
  await waitFor(() => page.data.editError !== '');

  expect(textOf(page.querySelector('.edit-error'))).toBe('The claim was submitted; fields can no longer change.');
  expect(page.querySelector('.editor')).toBeTruthy();
  page.instance.onUnload();
});

test('an infected upload says so and is not downloaded', async () => {
  server.on('GET', '/api/v1/documents/7/', {
    body: makeDocument({
      status: 'infected',
      extraction: null,
      scan: { verdict: 'infected', signature: 'Eicar-Test-Signature', scanned_at: '2024-03-05T06:07:08Z' },
    }),
  });
  const page = render(pageId);
  page.instance.onLoad({ id: '7' });
  await waitFor(() => page.data.loaded);

  expect(textOf(page.querySelector('.status-label'))).toBe('含病毒，已删除');
  expect(textOf(page.querySelector('.note'))).toBe('检测到病毒：Eicar-Test-Signature');
  expect(server.requestsTo('GET', '/api/v1/documents/7/file/')).toHaveLength(0);
  page.instance.onUnload();
});
