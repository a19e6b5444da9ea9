/**
 * @jest-environment jsdom
 */
import { FakeApiServer } from '../../helpers/apiServer';
import { loadComponent, render, tap, textOf, waitFor } from '../../helpers/simulate';
import { wxControl } from '../../helpers/wx';

const server = new FakeApiServer();
let inboxId: string;
let meId: string;

const RETURNED = {
  id: 7,
  kind: 'claim_returned',
  title: '报销单“上海出差”已退回修改',
  body: '原因：请补充酒店发票',
  miniprogram_page: 'pages/claim/index?id=12',
  created_at: '2026-12-01T09:30:00+08:00',
  unread: true,
};

beforeAll(async () => {
  await server.start();
  inboxId = loadComponent('pages/notifications/index');
  meId = loadComponent('pages/me/index');
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
  wxControl().storage.set('ia.token', 'tok');
  server.on('GET', '/api/v1/me/', {
    body: { id: 1, username: 'zs', display_name: '张三', roles: ['employee'], scanning_available: true },
  });
  server.on('GET', '/api/v1/notifications/summary/', {
    body: { unread: 1, review_pending: 0, wechat_template_id: 'tmpl-1' },
  });
  server.on('GET', '/api/v1/notifications/', {
    body: { count: 1, next: null, previous: null, results: [RETURNED] },
  });
});

test('the Me tab shows the unread count as a badge and leads to the inbox', async () => {
  // given one unread notification
  const page = render(meId);
  await page.instance.onShow();
  // then the tab bar badge and the row say 1
  await waitFor(() => wxControl().callsOf('setTabBarBadge').length > 0);
  expect(wxControl().callsOf('setTabBarBadge')[0]).toMatchObject({ index: 2, text: '1' });
  await waitFor(() => textOf(page.querySelector('.unread-count')) === '1');
  // and tapping the row opens the inbox
  await tap(page.querySelector('.notifications-row'));
  expect(wxControl().callsOf('navigateTo')[0].url).toBe('/pages/notifications/index');
});

test('opening a notification marks it read, clears the badge and opens its page', async () => {
  server.on('POST', '/api/v1/notifications/7/read/', { body: { ...RETURNED, unread: false } });
  // given the inbox with the returned claim
  const page = render(inboxId);
  await page.instance.onShow();
  await waitFor(() => textOf(page.querySelector('.row-title')) === RETURNED.title);
  expect(textOf(page.querySelector('.notif-body'))).toBe('原因：请补充酒店发票');
  // when the user taps it
  await tap(page.querySelector('.notif-row'));
  // then it was marked read on the server, the badge is gone, and the claim page opens
  await waitFor(() => wxControl().callsOf('navigateTo').length > 0);
  expect(server.requests.some((r) => r.method === 'POST' && r.path === '/api/v1/notifications/7/read/')).toBe(true);
  expect(wxControl().callsOf('removeTabBarBadge').length).toBeGreaterThan(0);
  expect(wxControl().callsOf('navigateTo')[0].url).toBe('/pages/claim/index?id=12');
});

test('the user can accept WeChat messages for the server template', async () => {
  const page = render(inboxId);
  await page.instance.onShow();
  await waitFor(() => page.querySelector('.subscribe') !== null);
  await tap(page.querySelector('.subscribe'));
  expect(wxControl().callsOf('requestSubscribeMessage')[0].tmplIds).toEqual(['tmpl-1']);
});
