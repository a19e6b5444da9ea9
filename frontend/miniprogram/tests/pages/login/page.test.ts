/**
 * @jest-environment jsdom
 */
import { fetchMe } from '../../../utils/api';
import { FakeApiServer, errorBody } from '../../helpers/apiServer';
import { loadComponent, render, tap, textOf, type, waitFor } from '../../helpers/simulate';
import { wxControl } from '../../helpers/wx';

const server = new FakeApiServer();
let pageId: string;

beforeAll(async () => {
  await server.start();
  pageId = loadComponent('pages/login/index');
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
});

const USER = { id: 1, username: 'zs', display_name: '张三', roles: ['employee'] };

test('first sign-in asks for the binding code, then signs in with a fresh wx.login code', async () => {
  // given a server that only knows this WeChat user once the binding code is given
  server.on('POST', '/api/v1/auth/wechat/', (req) =>
    req.json.binding_code
      ? { body: { token: 'new-token', user: USER } }
      : { status: 400, body: errorBody('binding_required', 'Enter your binding code.') },
  );
  wxControl().loginCodes = ['first-code', 'second-code'];
  const page = render(pageId);
  page.instance.onLoad({});
  expect(page.querySelector('.binding')).toBeUndefined();

  // when the user taps the WeChat sign-in button
  await tap(page.querySelector('.wechat-btn'));
  await waitFor(() => page.data.needsBinding === true);

  // then the binding code input appears and no token is stored yet
  expect(page.querySelector('.binding-input')).toBeTruthy();
  expect(textOf(page.querySelector('.wechat-btn'))).toBe('绑定并登录');
  expect(wxControl().storage.has('ia.token')).toBe(false);

  // when the user enters the code (pasted with spaces) and confirms
  await type(page.querySelector('.binding-input'), ' AB12 CD34 ');
  await tap(page.querySelector('.wechat-btn'));
  await waitFor(() => wxControl().callsOf('reLaunch').length > 0);

  // then a new login code went with the cleaned binding code, and the user is in
  const bodies = server.requestsTo('POST', '/api/v1/auth/wechat/').map((r) => r.json);
  expect(bodies).toEqual([{ code: 'first-code' }, { code: 'second-code', binding_code: 'AB12CD34' }]);
  expect(wxControl().storage.get('ia.token')).toBe('new-token');
  expect(wxControl().callsOf('reLaunch')[0].url).toBe('/pages/documents/index');
});

test('an empty binding code is caught before calling the server', async () => {
  // given the binding step
  server.on('POST', '/api/v1/auth/wechat/', { status: 400, body: errorBody('binding_required', 'x') });
  const page = render(pageId);
  page.instance.onLoad({});
  await tap(page.querySelector('.wechat-btn'));
  await waitFor(() => page.data.needsBinding === true);

  // when the user confirms without a code
  await tap(page.querySelector('.wechat-btn'));

  // then they are told, and no second request was made
  expect(textOf(page.querySelector('.login-error'))).toBe('请输入绑定码');
  expect(server.requestsTo('POST', '/api/v1/auth/wechat/')).toHaveLength(1);
});

test('an unavailable WeChat service is explained in the user language', async () => {
  // given an English user and WeChat down behind the server
  wxControl().systemLanguage = 'en';
  server.on('POST', '/api/v1/auth/wechat/', {
    status: 502,
    body: errorBody('wechat_unavailable', 'code2session timed out'),
  });
  const page = render(pageId);
  page.instance.onLoad({});

  // when signing in
  await tap(page.querySelector('.wechat-btn'));
  await waitFor(() => page.data.error !== '');

  // then the message is the app's, in English
  expect(textOf(page.querySelector('.login-error'))).toBe(
    'WeChat is not reachable right now: please try again later',
  );
});

test('a signed-in user goes straight to the invoices', () => {
  wxControl().storage.set('ia.token', 'tok');
  const page = render(pageId);
  page.instance.onLoad({});
  expect(wxControl().callsOf('reLaunch')[0].url).toBe('/pages/documents/index');
});

test('the language toggle switches the page to English', async () => {
  const page = render(pageId);
  page.instance.onLoad({});
  await tap(page.querySelector('.lang-toggle'));
  expect(textOf(page.querySelector('.wechat-btn'))).toBe('Sign in with WeChat');
  expect(wxControl().storage.get('ia.lang')).toBe('en');
});

test('the developer sign-in only exists in development builds', () => {
  wxControl().envVersion = 'release';
  const page = render(pageId);
  page.instance.onLoad({});
  expect(page.querySelector('.dev-login')).toBeUndefined();
  expect(page.querySelector('.server')).toBeUndefined();
});

test('after a dead token the sign-in page says the session expired, once', async () => {
  // given a signed-in user whose token the server no longer accepts
  wxControl().storage.set('ia.token', 'dead');
  server.on('GET', '/api/v1/me/', { status: 401, body: errorBody('not_authenticated', 'Invalid token.') });
  await fetchMe().catch(() => undefined);
  expect(wxControl().callsOf('reLaunch')[0].url).toBe('/pages/login/index');

  // when the sign-in page opens
  const page = render(pageId);
  page.instance.onLoad({});

  // then it explains why, and only the first time
  expect(textOf(page.querySelector('.login-error'))).toBe('登录已过期，请重新登录');
  const again = render(pageId);
  again.instance.onLoad({});
  expect(again.querySelector('.login-error')).toBeUndefined();
});
