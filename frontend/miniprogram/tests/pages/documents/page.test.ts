/**
 * @jest-environment jsdom
 */
import { mergeRows } from '../../../pages/documents/logic';
import { FakeApiServer } from '../../helpers/apiServer';
import { makeDocument } from '../../helpers/fixtures';
import { loadComponent, render, tap, textOf, waitFor } from '../../helpers/simulate';
import { wxControl } from '../../helpers/wx';

const server = new FakeApiServer();
let pageId: string;

beforeAll(async () => {
  await server.start();
  pageId = loadComponent('pages/documents/index');
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
  wxControl().storage.set('ia.token', 'tok');
});

const page1 = {
  count: 3,
  next: 'http://x/api/v1/documents/?page=2',
  previous: null,
  results: [
    makeDocument({ id: 3, status: 'processing', extraction: null, original_filename: 'IMG_3.jpg' }),
    makeDocument({ id: 2, duplicate_of: 1 }),
  ],
};
const page2 = { count: 3, next: null, previous: null, results: [makeDocument({ id: 1, status: 'failed', extraction: null })] };

test('lists documents page by page with their state', async () => {
  // given two pages of documents
  server.on('GET', '/api/v1/documents/', (req) => ({ body: req.query.get('page') === '2' ? page2 : page1 }));
  const page = render(pageId);

  // when the tab shows, then scrolls to the bottom
  await page.instance.onShow();
  await page.instance.onReachBottom();

  // then all three are listed, newest first, with state tags and amounts
  const rows = page.querySelectorAll('.doc-row');
  expect(rows).toHaveLength(3);
  expect(textOf(rows[0])).toContain('IMG_3.jpg');
  expect(textOf(rows[0])).toContain('识别中');
  expect(textOf(rows[1])).toContain('¥1,060.00');
  expect(textOf(rows[1])).toContain('可能重复');
  expect(textOf(rows[2])).toContain('处理失败');
  expect(page.data.hasMore).toBe(false);

  // and tapping a row opens it
  await tap(rows[1]);
  expect(wxControl().callsOf('navigateTo')[0].url).toBe('/pages/document/index?id=2');
});

test('tab texts follow the chosen language', async () => {
  server.on('GET', '/api/v1/documents/', { body: page2 });
  wxControl().storage.set('ia.lang', 'en');
  const page = render(pageId);
  await page.instance.onShow();
  expect(wxControl().callsOf('setTabBarItem').map((c) => c.text)).toEqual(['Invoices', 'Claims', 'Me']);
  await waitFor(() => page.data.loaded);
});

test('a refreshed page replaces rows instead of duplicating them', () => {
  const a = [{ id: 2, v: 'old' }, { id: 1, v: 'old' }];
  expect(mergeRows(a, [{ id: 1, v: 'new' }, { id: 0, v: 'new' }])).toEqual([
    { id: 2, v: 'old' },
    { id: 1, v: 'new' },
    { id: 0, v: 'new' },
  ]);
});
