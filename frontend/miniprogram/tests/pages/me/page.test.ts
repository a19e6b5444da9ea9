/**
 * @jest-environment jsdom
 */
import { FakeApiServer } from '../../helpers/apiServer';
import { loadComponent, render, tap, textOf, waitFor } from '../../helpers/simulate';
import { wxControl } from '../../helpers/wx';

const server = new FakeApiServer();
let pageId: string;

beforeAll(async () => {
  await server.start();
  pageId = loadComponent('pages/me/index');
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
  wxControl().storage.set('ia.token', 'tok');
  server.on('GET', '/api/v1/me/', {
    body: { id: 1, username: 'zs', display_name: '张三', roles: ['employee', 'approver'], scanning_available: true },
  });
});

test('shows the profile and switches everything to English', async () => {
  // given the profile page
  const page = render(pageId);
  await page.instance.onShow();
  expect(textOf(page.querySelector('.roles'))).toBe('员工, 审批人');

  // when the user picks English
  await tap(page.querySelector('.lang-en'));
  await waitFor(() => textOf(page.querySelector('.roles')) === 'Employee, Approver');

  // then the page, the tab bar and later requests are English
  expect(textOf(page.querySelector('.sign-out'))).toBe('Sign out');
  const tabs = wxControl().callsOf('setTabBarItem');
  expect(tabs.slice(-3).map((c) => c.text)).toEqual(['Invoices', 'Claims', 'Me']);
  expect(server.requests[server.requests.length - 1].headers['accept-language']).toBe('en');
});

test('a language saved on another device is taken over, and a new choice is saved', async () => {
  // given a user who chose English on the web
  server.on('GET', '/api/v1/me/', {
    body: { id: 1, username: 'zs', display_name: '张三', roles: ['employee'], scanning_available: true, language: 'en' },
  });
  server.on('PUT', '/api/v1/me/', { body: { id: 1, username: 'zs', language: 'zh-hans' } });
  const page = render(pageId);

  // when the profile page loads, the mini-program speaks English too
  await page.instance.onShow();
  await waitFor(() => textOf(page.querySelector('.roles')) === 'Employee');

  // and picking Chinese tells the server
  await tap(page.querySelector('.lang-zh'));
  await waitFor(() => server.requestsTo('PUT', '/api/v1/me/').length > 0);
  expect(server.requestsTo('PUT', '/api/v1/me/')[0].json).toEqual({ language: 'zh-hans' });
});

test('signing out forgets the token after confirmation and revokes it on the server', async () => {
  server.on('POST', '/api/v1/auth/logout/', { status: 204 });
  const page = render(pageId);
  await page.instance.onShow();
  await tap(page.querySelector('.sign-out'));
  await waitFor(() => wxControl().callsOf('reLaunch').length > 0);
  expect(wxControl().storage.has('ia.token')).toBe(false);
  expect(wxControl().callsOf('reLaunch')[0].url).toBe('/pages/login/index');
  await waitFor(() => server.requests.some((r) => r.path === '/api/v1/auth/logout/'));
  const logout = server.requests.find((r) => r.path === '/api/v1/auth/logout/');
  expect(logout?.headers.authorization).toBe('Token tok');
});
