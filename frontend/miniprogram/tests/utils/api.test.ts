/** The API module against a scripted HTTP server, through the fake wx's real sockets. */
import * as http from 'http';
import type { AddressInfo } from 'net';
import {
  ApiError,
  buildUrl,
  createClaim,
  getDocument,
  getToken,
  listClaims,
  listDocuments,
  loginWithPassword,
  loginWithWechat,
  saveLanguage,
  setToken,
  signOut,
  submitClaim,
  updateDocumentField,
  uploadDocument,
} from '../../utils/api';
import { FakeApiServer, errorBody } from '../helpers/apiServer';
import { makeClaim, makeDocument } from '../helpers/fixtures';
import { makePng, writeTempFile } from '../helpers/png';
import { wxControl } from '../helpers/wx';

const server = new FakeApiServer();

beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
});

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
}

describe('request building', () => {
  test('sends the token as "Authorization: Token <t>" and JSON bodies', async () => {
    // given a signed-in user
    setToken('tok-123');
    server.on('POST', '/api/v1/claims/', { status: 201, body: makeClaim() });

    // when they create a claim
    await createClaim({ title: '出差', currency: 'CNY' });

    // then the server saw the auth header and the JSON body
    const [req] = server.requestsTo('POST', '/api/v1/claims/');
    expect(req.headers.authorization).toBe('Token tok-123');
    expect(req.headers['content-type']).toMatch(/^application\/json/);
    expect(req.json).toEqual({ title: '出差', currency: 'CNY' });
  });

  test('puts list paging in the query string', async () => {
    // given a list endpoint
    server.on('GET', '/api/v1/documents/', { body: { count: 0, next: null, previous: null, results: [] } });

    // when page 2 is asked for
    await listDocuments(2);

    // then the request carries ?page=2
    expect(server.requestsTo('GET', '/api/v1/documents/')[0].query.get('page')).toBe('2');
  });

  test('asks for the user language', async () => {
    // given an English-speaking user
    wxControl().systemLanguage = 'en_US';
    server.on('GET', '/api/v1/documents/7/', { body: makeDocument() });

    // when a request goes out
    await getDocument(7);

    // then the server can answer in English
    expect(server.requests[0].headers['accept-language']).toBe('en');
  });

  test('resolves server-absolute paths against the server origin', () => {
    // given a server under a path prefix
    wxControl().storage.set('ia.baseUrl', 'https://example.org/ia');

    // then API-relative and absolute paths both land on the right URL
    expect(buildUrl('documents/', { page: 2 })).toBe('https://example.org/ia/api/v1/documents/?page=2');
    expect(buildUrl('/ia/api/v1/documents/3/file/')).toBe('https://example.org/ia/api/v1/documents/3/file/');
  });

  test('sends field corrections with PUT because wx.request cannot PATCH', async () => {
    // given a document
    setToken('tok');
    server.on('PUT', '/api/v1/documents/7/fields/', { body: makeDocument() });

    // when a field is corrected
    await updateDocumentField(7, 'total_amount', '12.30');

    // then the body is the contract's {"field", "value"}
    expect(server.requestsTo('PUT', '/api/v1/documents/7/fields/')[0].json).toEqual({
      field: 'total_amount',
      value: '12.30',
    });
  });

  test('saves the language on the server with PUT, in its language code', async () => {
    // given a signed-in user
    setToken('tok');
    server.on('PUT', '/api/v1/me/', { body: { id: 1, username: 'li', language: 'zh-hans' } });

    // when they choose Chinese
    await saveLanguage('zh-CN');

    // then the server is told zh-hans, the code its catalogue uses
    expect(server.requestsTo('PUT', '/api/v1/me/')[0].json).toEqual({ language: 'zh-hans' });
  });

  test('accepts an unpaginated claims list', async () => {
    // given a server answering with a bare array
    server.on('GET', '/api/v1/claims/', { body: [makeClaim({ id: 1 }), makeClaim({ id: 2 })] });

    // when the list is read
    const page = await listClaims();

    // then the pages still see one shape
    expect(page.results.map((c) => c.id)).toEqual([1, 2]);
    expect(page.next).toBeNull();
  });
});

describe('sign-in and token handling', () => {
  test('stores the token from a WeChat sign-in and sends the binding code', async () => {
    // given a server that binds the WeChat identity
    server.on('POST', '/api/v1/auth/wechat/', {
      body: { token: 'wx-token', user: { id: 1, username: 'zs', display_name: '张三', roles: ['employee'] } },
    });

    // when the user signs in with a binding code
    const result = await loginWithWechat('code-abc', 'BIND-42');

    // then the code pair went to the server and the token is kept
    expect(server.requests[0].json).toEqual({ code: 'code-abc', binding_code: 'BIND-42' });
    expect(server.requests[0].headers.authorization).toBeUndefined();
    expect(result.user.display_name).toBe('张三');
    expect(getToken()).toBe('wx-token');
  });

  test('a failed sign-in neither stores a token nor redirects', async () => {
    // given wrong credentials
    server.on('POST', '/api/v1/auth/token/', {
      status: 401,
      body: errorBody('invalid_credentials', 'Wrong username or password.'),
    });

    // when signing in
    const err = await rejection(loginWithPassword('zs', 'nope'));

    // then the error is reported and nobody is sent anywhere
    expect(err.code).toBe('invalid_credentials');
    expect(getToken()).toBeNull();
    expect(wxControl().callsOf('reLaunch')).toHaveLength(0);
  });

  test('a 401 on an authenticated call clears the token and opens the sign-in page once', async () => {
    // given an expired token and two calls failing together
    setToken('expired');
    server.on('GET', '/api/v1/documents/1/', {
      status: 401,
      body: errorBody('not_authenticated', 'Invalid token.'),
      delayMs: 20,
    });

    // when both calls fail
    const errors = await Promise.all([rejection(getDocument(1)), rejection(getDocument(1))]);

    // then the token is gone and the sign-in page was opened
    expect(errors.map((e) => e.status)).toEqual([401, 401]);
    expect(getToken()).toBeNull();
    expect(wxControl().callsOf('reLaunch')).toEqual([
      expect.objectContaining({ url: '/pages/login/index' }),
    ]);
  });
});

describe('sign-out', () => {
  test('revokes the token of this device on the server and forgets it', async () => {
    // given a signed-in device
    setToken('tok-1');
    server.on('POST', '/api/v1/auth/logout/', { status: 204 });

    // when it signs out
    await signOut();

    // then the server was asked to revoke that token, and it is gone here
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v1/auth/logout/']);
    expect(server.requests[0].headers.authorization).toBe('Token tok-1');
    expect(getToken()).toBeNull();
  });

  test('signs out even when the server refuses or cannot be reached', async () => {
    // given a token the server no longer accepts
    setToken('expired');
    server.on('POST', '/api/v1/auth/logout/', { status: 401, body: errorBody('not_authenticated', 'Invalid token.') });

    // when the device signs out
    await signOut();

    // then the token is forgotten and no "session expired" detour to sign-in happens
    expect(getToken()).toBeNull();
    expect(wxControl().callsOf('reLaunch')).toHaveLength(0);

    // and offline it still signs out
    setToken('tok-2');
    wxControl().storage.set('ia.baseUrl', 'http://127.0.0.1:9');
    await signOut();
    expect(getToken()).toBeNull();
  });
});

describe('error mapping', () => {
  test('keeps code, message and details of the error shape', async () => {
    // given a submit refused for a business reason
    setToken('tok');
    server.on('POST', '/api/v1/claims/3/submit/', {
      status: 409,
      body: errorBody('invalid_transition', 'Only draft claims can be submitted.', { status: 'submitted' }),
    });

    // when submitting
    const err = await rejection(submitClaim(3));

    // then everything the server said is available
    expect(err.status).toBe(409);
    expect(err.code).toBe('invalid_transition');
    expect(err.message).toBe('Only draft claims can be submitted.');
    expect(err.details).toEqual({ status: 'submitted' });
  });

  test('falls back to DRF\'s {"detail"} shape', async () => {
    // given an answer from outside our exception handler
    server.on('GET', '/api/v1/documents/9/', { status: 404, body: { detail: 'Not found.' } });

    // when reading
    const err = await rejection(getDocument(9));

    // then the detail becomes the message
    expect(err.code).toBe('not_found');
    expect(err.message).toBe('Not found.');
  });

  test('turns a proxy error page into a readable server error', async () => {
    // given a gateway that answers HTML
    server.on('GET', '/api/v1/documents/9/', { status: 502, text: '<html>Bad Gateway</html>' });

    // when reading
    const err = await rejection(getDocument(9));

    // then the user gets a sentence, not HTML
    expect(err.code).toBe('server_error');
    expect(err.message).toBe('服务器出错（502），请稍后重试');
  });

  test('reports an unreachable server as a network error', async () => {
    // given a port nobody listens on
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    wxControl().storage.set('ia.baseUrl', `http://127.0.0.1:${port}`);

    // when calling it
    const err = await rejection(getDocument(1));

    // then it is a network error with a status of 0
    expect(err.code).toBe('network_error');
    expect(err.status).toBe(0);
  });
});

describe('upload', () => {
  test('sends the file as multipart field "file" with the claim id and the token', async () => {
    // given a signed-in user and a photo
    setToken('tok-up');
    const png = makePng(64, 32);
    const file = writeTempFile('photo.png', png);
    server.on('POST', '/api/v1/documents/', { status: 201, body: makeDocument({ id: 11, status: 'received' }) });

    // when it is uploaded into claim 3
    const outcome = await uploadDocument(file, { claim: 3 }).promise;

    // then the server got the exact bytes, the claim field and the auth header
    const [req] = server.requestsTo('POST', '/api/v1/documents/');
    expect(req.headers.authorization).toBe('Token tok-up');
    expect(req.files.file.data.equals(png)).toBe(true);
    expect(req.files.file.contentType).toBe('image/png');
    expect(req.fields.claim).toBe('3');
    expect(outcome.batch).toBeNull();
    expect(outcome.documents.map((d) => d.id)).toEqual([11]);
  });

  test('a zip answers its batch and every document in it', async () => {
    // given a server that made two documents out of the uploaded archive
    setToken('tok');
    const file = writeTempFile('download.zip', Buffer.from('PK\x03\x04'));
    const batch = { id: 2, kind: 'archive', original_filename: 'download.zip', document_count: 2 };
    server.on('POST', '/api/v1/documents/', {
      status: 201,
      body: { batch, documents: [makeDocument({ id: 21 }), makeDocument({ id: 22 })] },
    });
    // when it is uploaded / then both documents come back under the batch
    const outcome = await uploadDocument(file).promise;
    expect(outcome.batch).toEqual(batch);
    expect(outcome.documents.map((d) => d.id)).toEqual([21, 22]);
  });

  test('reports progress up to 100 without going backwards', async () => {
    // given a file spanning many chunks
    setToken('tok');
    const file = writeTempFile('big.png', Buffer.alloc(200 * 1024, 7));
    server.on('POST', '/api/v1/documents/', { status: 201, body: makeDocument() });
    const seen: number[] = [];

    // when it is uploaded
    await uploadDocument(file, { onProgress: (p) => seen.push(p.progress) }).promise;

    // then progress rose step by step to 100
    expect(seen.length).toBeGreaterThan(5);
    expect(seen[seen.length - 1]).toBe(100);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  test('rejects with the server message when the upload is refused', async () => {
    // given a server refusing the file type
    setToken('tok');
    const file = writeTempFile('notes.txt', Buffer.from('hello'));
    server.on('POST', '/api/v1/documents/', {
      status: 400,
      body: errorBody('unsupported_type', 'Only JPEG, PNG and PDF files are accepted.'),
    });

    // when uploading
    const err = await rejection(uploadDocument(file).promise);

    // then the server's sentence comes through
    expect(err.code).toBe('unsupported_type');
    expect(err.message).toBe('Only JPEG, PNG and PDF files are accepted.');
  });

  test('an aborted upload fails with code "aborted"', async () => {
    // given a slow server
    setToken('tok');
    const file = writeTempFile('photo.png', makePng(32, 32));
    server.on('POST', '/api/v1/documents/', { status: 201, body: makeDocument(), delayMs: 2000 });

    // when the upload is aborted
    const handle = uploadDocument(file);
    handle.abort();

    // then the promise says so
    expect((await rejection(handle.promise)).code).toBe('aborted');
  });
});
