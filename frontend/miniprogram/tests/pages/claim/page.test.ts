/**
 * @jest-environment jsdom
 */
import { FakeApiServer, errorBody } from '../../helpers/apiServer';
import { makeClaim, makeDocument } from '../../helpers/fixtures';
import { loadComponent, render, tap, textOf, waitFor } from '../../helpers/simulate';
import { wxControl } from '../../helpers/wx';

const server = new FakeApiServer();
let pageId: string;

beforeAll(async () => {
  await server.start();
  pageId = loadComponent('pages/claim/index');
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
  wxControl().storage.set('ia.token', 'tok');
  server.on('GET', '/api/v1/documents/7/', { body: makeDocument({ id: 7, claim: 3 }) });
  server.on('GET', '/api/v1/documents/8/', { body: makeDocument({ id: 8, claim: 3, status: 'needs_review' }) });
});

async function openClaim() {
  const page = render(pageId);
  page.instance.onLoad({ id: '3' });
  page.instance.onShow();
  await waitFor(() => page.data.loaded);
  return page;
}

test('shows the claim, its documents and its timeline', async () => {
  server.on('GET', '/api/v1/claims/3/', { body: makeClaim({ documents: [7, 8] }) });
  const page = await openClaim();

  expect(textOf(page.querySelector('.claim-title'))).toBe('3 月北京出差');
  expect(textOf(page.querySelector('.status-label'))).toBe('草稿');
  expect(textOf(page.querySelector('.claim-total'))).toBe('¥1,060.00');
  expect(page.querySelectorAll('.doc-row')).toHaveLength(2);
  // the timeline is a child component: look inside it
  expect(textOf(page.querySelector('.claim-timeline').querySelector('.entry-title'))).toBe('创建报销单');
});

test('a refused submit shows the server reason', async () => {
  // given a claim the server will not accept yet
  server.on('GET', '/api/v1/claims/3/', { body: makeClaim({ documents: [7, 8] }) });
  server.on('POST', '/api/v1/claims/3/submit/', {
    status: 400,
    body: errorBody('documents_need_review', 'Invoice #8 still needs review.', { documents: [8] }),
  });
  const page = await openClaim();

  // when the user submits and confirms
  await tap(page.querySelector('.submit-btn'));
  await waitFor(() => page.data.submitError !== '');

  // then the reason is on the page and in a dialog
  expect(textOf(page.querySelector('.submit-error'))).toBe('Invoice #8 still needs review.');
  const modals = wxControl().callsOf('showModal');
  expect(modals[modals.length - 1]).toMatchObject({ title: '提交失败', content: 'Invoice #8 still needs review.' });
});

test('a successful submit shows the new state and its timeline entry', async () => {
  // given a draft the server accepts
  server.on('GET', '/api/v1/claims/3/', { body: makeClaim() });
  server.on('POST', '/api/v1/claims/3/submit/', {
    body: makeClaim({
      status: 'submitted',
      events: [
        { action: 'created', actor: 'zs', created_at: '2024-03-05T06:00:00Z', comment: null },
        { action: 'submitted', actor: 'zs', created_at: '2024-03-05T07:00:00Z', comment: null },
      ],
    }),
  });
  const page = await openClaim();

  // when submitted
  await tap(page.querySelector('.submit-btn'));
  await waitFor(() => page.data.view.statusLabel === '已提交');

  // then the page is read-only and the timeline ends with the submission
  expect(page.querySelector('.submit-btn')).toBeUndefined();
  expect(textOf(page.querySelector('.claim-timeline').querySelector('.entry-latest .entry-title'))).toBe('提交审批');
});

test('cancelling the confirmation sends nothing', async () => {
  server.on('GET', '/api/v1/claims/3/', { body: makeClaim() });
  const page = await openClaim();
  wxControl().modalConfirm = false;
  await tap(page.querySelector('.submit-btn'));
  expect(server.requestsTo('POST', '/api/v1/claims/3/submit/')).toHaveLength(0);
});

test('an uploaded document can be added from the picker', async () => {
  // given a claim and a free document
  server.sequence('GET', '/api/v1/claims/3/', [
    { body: makeClaim({ documents: [] }) },
    { body: makeClaim({ documents: [7] }) },
  ]);
  server.on('GET', '/api/v1/documents/', {
    body: { count: 2, next: null, previous: null, results: [makeDocument({ id: 7 }), makeDocument({ id: 9, claim: 4 })] },
  });
  server.on('POST', '/api/v1/claims/3/documents/', { status: 201, body: makeClaim({ documents: [7] }) });
  const page = await openClaim();

  // when the user opens the picker and picks the only free document
  await tap(page.querySelector('.add-existing'));
  await waitFor(() => page.data.pickLoaded);
  expect(page.querySelectorAll('.pick-row')).toHaveLength(1);
  await tap(page.querySelector('.pick-row'));
  await waitFor(() => page.data.docRows.length === 1);

  // then the server was asked to add it and the claim shows it
  expect(server.requestsTo('POST', '/api/v1/claims/3/documents/')[0].json).toEqual({ document: 7 });
  expect(page.data.picking).toBe(false);
});
