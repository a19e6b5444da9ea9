import { SERVERS, getBaseUrl, normalizeBaseUrl, setBaseUrlOverride } from '../../utils/config';
import { wxControl } from '../helpers/wx';

beforeEach(() => wxControl().reset());

test('each build flavour has its own server', () => {
  wxControl().envVersion = 'release';
  expect(getBaseUrl()).toBe(SERVERS.release);
  wxControl().envVersion = 'develop';
  expect(getBaseUrl()).toBe(SERVERS.develop);
});

test('a development build can be pointed at another server', () => {
  // given a developer build
  wxControl().envVersion = 'develop';

  // when the developer enters their laptop's address
  const saved = setBaseUrlOverride(' http://192.168.1.20:8000/ ');

  // then requests go there
  expect(saved).toBe('http://192.168.1.20:8000');
  expect(getBaseUrl()).toBe('http://192.168.1.20:8000');

  // and clearing it goes back to the default
  setBaseUrlOverride('');
  expect(getBaseUrl()).toBe(SERVERS.develop);
});

test('a release build ignores a stored override', () => {
  // given an override left in storage
  wxControl().storage.set('ia.baseUrl', 'http://evil.example');

  // when the build is a release
  wxControl().envVersion = 'release';

  // then the production server is used and no new override is accepted
  expect(getBaseUrl()).toBe(SERVERS.release);
  expect(setBaseUrlOverride('https://other.example')).toBeNull();
});

test('only http(s) URLs are accepted', () => {
  expect(normalizeBaseUrl('https://ia.example.com/prefix/')).toBe('https://ia.example.com/prefix');
  expect(normalizeBaseUrl('ftp://ia.example.com')).toBeNull();
  expect(normalizeBaseUrl('ia.example.com')).toBeNull();
  expect(normalizeBaseUrl('http://host/with space')).toBeNull();
});
