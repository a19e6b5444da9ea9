/**
 * @jest-environment jsdom
 */
import { FakeApiServer, errorBody } from '../../helpers/apiServer';
import { makeDocument } from '../../helpers/fixtures';
import { makePng, writeTempFile } from '../../helpers/png';
import { loadComponent, render, tap, textOf, waitFor } from '../../helpers/simulate';
import { wxControl } from '../../helpers/wx';

const server = new FakeApiServer();
let pageId: string;

beforeAll(async () => {
  await server.start();
  pageId = loadComponent('pages/upload/index');
});
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  wxControl().reset();
  wxControl().storage.set('ia.baseUrl', server.baseUrl);
  wxControl().storage.set('ia.token', 'tok');
});

function chosen(names: string[]) {
  return names.map((name) => {
    const path = writeTempFile(name, makePng(60, 30));
    return { tempFilePath: path, size: 1000 };
  });
}

test('shows one progress bar per photo and a retry for the refused one', async () => {
  // given a server that refuses the second photo the first time
  let refuseBad = true;
  server.on('POST', '/api/v1/documents/', (req) => {
    if (req.files.file.filename === 'b.png' && refuseBad) {
      return { status: 413, body: errorBody('too_large', 'The file is larger than the 20 MB limit.') };
    }
    return { status: 201, body: makeDocument({ id: req.files.file.filename === 'a.png' ? 1 : 2 }) };
  });
  wxControl().chosenFiles = chosen(['a.png', 'b.png']);
  const page = render(pageId);
  page.instance.onLoad({ claim: '5' });

  // when the user picks two photos from the album
  await tap(page.querySelector('.album-btn'));
  await waitFor(() => page.data.rows.length === 2 && page.data.rows.every((r: any) => r.state === 'done' || r.state === 'failed'));

  // then each has its own bar; the failed one shows the server's reason and a retry link
  expect(page.querySelectorAll('.bar')).toHaveLength(2);
  expect(textOf(page.querySelector('.claim-label'))).toBe('上传到报销单 #5');
  expect(server.requests.every((r) => r.fields.claim === '5')).toBe(true);
  expect(textOf(page.querySelector('.upload-error'))).toBe('The file is larger than the 20 MB limit.');
  expect(page.querySelectorAll('.retry-btn')).toHaveLength(1);

  // when the user retries after the server relents
  refuseBad = false;
  await tap(page.querySelector('.retry-btn'));
  await waitFor(() => page.data.rows.every((r: any) => r.state === 'done'));

  // then both are uploaded and can be opened
  expect(page.querySelectorAll('.retry-btn')).toHaveLength(0);
  expect(textOf(page.querySelector('.summary'))).toBe('已完成 2/2');
  await tap(page.querySelectorAll('.view-btn')[1]);
  expect(wxControl().callsOf('navigateTo')[0].url).toBe('/pages/document/index?id=2');
});

test('a zip chosen from a chat shows the documents it became, each openable', async () => {
  // given a server that makes two documents out of an archive
  server.on('POST', '/api/v1/documents/', {
    status: 201,
    body: {
      batch: { id: 3, kind: 'archive', original_filename: 'invoices.zip', document_count: 2 },
      documents: [
        makeDocument({ id: 31, original_filename: 'a.ofd' }),
        makeDocument({ id: 32, original_filename: 'b.xml' }),
      ],
    },
  });
  wxControl().chosenFiles = [{ tempFilePath: writeTempFile('invoices.zip', Buffer.from('PK')), size: 2 }];
  const page = render(pageId);
  page.instance.onLoad({});

  // when the user picks the zip from a chat
  await tap(page.querySelector('.chat-file-btn'));
  await waitFor(() => page.data.rows.length === 1 && page.data.rows[0].state === 'done');

  // then the row says how many documents the archive held and links each one
  expect(wxControl().callsOf('chooseMessageFile')[0].extension).toContain('ofd');
  expect(textOf(page.querySelector('.batch-label'))).toBe('此压缩包中的 2 张票据');
  expect(page.querySelectorAll('.batch-doc-name').map(textOf)).toEqual(['a.ofd', 'b.xml']);
  await tap(page.querySelectorAll('.view-btn')[1]);
  expect(wxControl().callsOf('navigateTo')[0].url).toBe('/pages/document/index?id=32');
});

test('without a token the page sends the user to sign in', () => {
  // given a signed-out user
  wxControl().storage.delete('ia.token');

  // when the page opens
  const page = render(pageId);
  page.instance.onLoad({});

  // then the sign-in page is shown instead
  expect(wxControl().callsOf('reLaunch')[0].url).toBe('/pages/login/index');
});
