import { normalizeBindingCode, signInWithPassword, signInWithWechat } from '../../../pages/login/logic';
import { FakeApiServer, errorBody } from '../../helpers/apiServer';
import { wxControl } from '../../helpers/wx';

const server = new FakeApiServer();
beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
});

test('binding codes lose the whitespace people paste with them', () => {
  expect(normalizeBindingCode(' 12 34\n56 ')).toBe('123456');
});

test('binding_required becomes its own outcome, not an error', async () => {
  server.on('POST', '/api/v1/auth/wechat/', { status: 400, body: errorBody('binding_required', 'Bind first.') });
  await expect(signInWithWechat()).resolves.toEqual({ kind: 'binding_required' });
});

test('a wrong binding code gets the app message in the user language', async () => {
  server.on('POST', '/api/v1/auth/wechat/', { status: 400, body: errorBody('invalid_binding_code', 'Unknown code.') });
  await expect(signInWithWechat('999')).resolves.toEqual({
    kind: 'error',
    code: 'invalid_binding_code',
    message: '绑定码无效或已被使用，请向管理员确认',
  });
});

test('codes the app does not know keep the server message', async () => {
  server.on('POST', '/api/v1/auth/wechat/', { status: 403, body: errorBody('account_disabled', '账号已停用') });
  await expect(signInWithWechat()).resolves.toMatchObject({ kind: 'error', message: '账号已停用' });
});

test('a failing wx.login is reported without calling the server', async () => {
  wxControl().loginError = 'system error';
  await expect(signInWithWechat()).resolves.toMatchObject({ kind: 'error', message: '微信登录失败，请重试' });
  expect(server.requests).toHaveLength(0);
});

test('password sign-in needs both fields', async () => {
  await expect(signInWithPassword(' ', 'x')).resolves.toMatchObject({ kind: 'error', code: 'missing_credentials' });
  expect(server.requests).toHaveLength(0);
});
