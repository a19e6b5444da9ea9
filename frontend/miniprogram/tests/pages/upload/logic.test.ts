import * as fs from 'fs';
import { ApiError, UploadHandle, setToken, uploadDocument, uploadOutcome } from '../../../utils/api';
import {
  UploadItem,
  UploadQueue,
  chooseImages,
  needsCompression,
  prepareForUpload,
  uploadRows,
  uploadSummary,
} from '../../../pages/upload/logic';
import type { DocumentDto, UploadOutcome } from '../../../utils/types';
import { FakeApiServer, errorBody } from '../../helpers/apiServer';
import { makeDocument } from '../../helpers/fixtures';
import { makePng, writeTempFile } from '../../helpers/png';
import { wxControl } from '../../helpers/wx';

beforeEach(() => wxControl().reset());

/** An upload the test finishes by hand. */
interface Pending {
  item: UploadItem;
  progress: (n: number) => void;
  resolve: (doc: DocumentDto) => void;
  reject: (err: unknown) => void;
}

function manualUploads() {
  const pending: Pending[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const upload = (item: UploadItem, onProgress: (p: { progress: number; sent: number; total: number }) => void) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let resolve!: (doc: DocumentDto) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<DocumentDto>((res, rej) => {
      resolve = res;
      reject = rej;
    }).finally(() => {
      inFlight -= 1;
    });
    pending.push({
      item,
      progress: (n) => onProgress({ progress: n, sent: n, total: 100 }),
      resolve,
      reject,
    });
    return {
      promise: promise.then(uploadOutcome),
      abort: () => reject(new ApiError(0, 'aborted', 'aborted')),
    } as UploadHandle<UploadOutcome>;
  };
  return { upload, pending, maxInFlight: () => maxInFlight };
}

const files = (n: number) => Array.from({ length: n }, (_, i) => ({ tempFilePath: `/tmp/p${i}.jpg`, size: 1000 + i }));
const flush = () => new Promise((r) => setImmediate(r));

describe('UploadQueue', () => {
  test('never runs more uploads at once than its cap', async () => {
    // given a queue capped at 3 and 7 photos
    const uploads = manualUploads();
    const queue = new UploadQueue({ upload: uploads.upload, concurrency: 3 });

    // when they are added
    queue.add(files(7));
    await flush();

    // then 3 start, and each finished upload lets exactly one more start
    expect(uploads.pending).toHaveLength(3);
    uploads.pending[0].resolve(makeDocument({ id: 1 }));
    await flush();
    expect(uploads.pending).toHaveLength(4);
    for (let i = 1; i < 7; i++) {
      uploads.pending[i].resolve(makeDocument({ id: i + 1 }));
      await flush();
    }
    await queue.whenIdle();
    expect(uploads.maxInFlight()).toBe(3);
    expect(queue.items.map((item) => item.state)).toEqual(Array(7).fill('done'));
  });

  test('keeps one progress value per file', async () => {
    // given two uploads in flight
    const uploads = manualUploads();
    const queue = new UploadQueue({ upload: uploads.upload, concurrency: 2 });
    queue.add(files(2));
    await flush();

    // when they report different progress
    uploads.pending[0].progress(30);
    uploads.pending[1].progress(80);

    // then each item shows its own
    expect(queue.items.map((item) => [item.state, item.progress])).toEqual([
      ['uploading', 30],
      ['uploading', 80],
    ]);
  });

  test('a failed upload shows the server message and succeeds on retry', async () => {
    // given an upload the server refuses
    const uploads = manualUploads();
    const queue = new UploadQueue({ upload: uploads.upload });
    const [added] = queue.add(files(1));
    await flush();
    uploads.pending[0].progress(50);
    uploads.pending[0].reject(new ApiError(400, 'unsupported_type', 'Only JPEG, PNG and PDF files are accepted.'));
    await queue.whenIdle();
    expect(queue.items[0]).toMatchObject({ state: 'failed', error: 'Only JPEG, PNG and PDF files are accepted.' });

    // when the user retries
    expect(queue.retry(added.key)).toBe(true);
    await flush();

    // then it starts over from 0 and can finish
    expect(queue.items[0]).toMatchObject({ state: 'uploading', progress: 0, error: null });
    uploads.pending[1].resolve(makeDocument({ id: 42 }));
    await queue.whenIdle();
    expect(queue.items[0]).toMatchObject({ state: 'done', progress: 100 });
    expect(queue.items[0].documents.map((d) => d.id)).toEqual([42]);
  });

  test('refuses a file still too large after compression without sending it', async () => {
    // given a prepare step that cannot shrink a 30 MB photo
    const uploads = manualUploads();
    const queue = new UploadQueue({
      upload: uploads.upload,
      prepare: async (item) => ({ path: item.sourcePath, size: 30 * 1024 * 1024 }),
    });

    // when it is added
    queue.add(files(1));
    await queue.whenIdle();

    // then it fails with the size in the message and nothing was uploaded
    expect(uploads.pending).toHaveLength(0);
    expect(queue.items[0].state).toBe('failed');
    expect(queue.items[0].error).toBe('文件大小 30 MB，超过 20 MB 的上限');
  });

  test('tells the page about every change', async () => {
    // given a page listening to the queue
    const uploads = manualUploads();
    const seen: string[] = [];
    const queue = new UploadQueue({
      upload: uploads.upload,
      onChange: (items) => seen.push(items.map((i) => i.state).join()),
    });

    // when one file goes through
    queue.add(files(1));
    await flush();
    uploads.pending[0].resolve(makeDocument());
    await queue.whenIdle();

    // then the page saw it queued, uploading and done
    expect(seen).toEqual(['queued', 'uploading', 'done']);
  });
});

describe('preparing files', () => {
  test('only large images are compressed', () => {
    expect(needsCompression(2 * 1024 * 1024)).toBe(false);
    expect(needsCompression(2 * 1024 * 1024 + 1)).toBe(true);
  });

  const itemFor = (path: string, size: number): UploadItem => ({
    key: 'u1',
    sourcePath: path,
    sourceSize: size,
    path,
    size,
    state: 'queued',
    progress: 0,
    error: null,
    documents: [],
    batch: null,
    kind: 'image',
    name: '',
  });

  test('a small photo goes up as it is', async () => {
    const path = writeTempFile('small.png', makePng(10, 10));
    const prepared = await prepareForUpload(itemFor(path, 500));
    expect(prepared).toEqual({ path, size: 500 });
    expect(wxControl().callsOf('compressImage')).toHaveLength(0);
  });

  test('a large photo is replaced by its compressed copy', async () => {
    // given a 3 MB photo and a compressor that makes a 100 KB copy
    const big = writeTempFile('big.jpg', Buffer.alloc(3 * 1024 * 1024, 1));
    const small = writeTempFile('big-compressed.jpg', Buffer.alloc(100 * 1024, 1));
    wxControl().compress = () => small;

    // when it is prepared
    const prepared = await prepareForUpload(itemFor(big, fs.statSync(big).size));

    // then the copy is sent, compressed at quality 80
    expect(prepared).toEqual({ path: small, size: 100 * 1024 });
    expect(wxControl().callsOf('compressImage')[0]).toMatchObject({ src: big, quality: 80 });
  });

  test('when compression fails the original is sent', async () => {
    const big = writeTempFile('big.jpg', Buffer.alloc(10, 1));
    wxControl().compress = () => {
      throw new Error('unsupported image');
    };
    const prepared = await prepareForUpload(itemFor(big, 3 * 1024 * 1024));
    expect(prepared).toEqual({ path: big, size: 3 * 1024 * 1024 });
  });
});

describe('choosing photos', () => {
  test('asks wx.chooseMedia for compressed images from the chosen source', async () => {
    // given a user who picks two photos
    wxControl().chosenFiles = [
      { tempFilePath: '/tmp/a.jpg', size: 10 },
      { tempFilePath: '/tmp/b.jpg', size: 20 },
    ];

    // when the album is opened
    const chosen = await chooseImages('album', 9);

    // then the request and the result are as expected
    expect(wxControl().callsOf('chooseMedia')[0]).toMatchObject({
      count: 9,
      mediaType: ['image'],
      sourceType: ['album'],
      sizeType: ['compressed'],
    });
    expect(chosen).toEqual([
      { tempFilePath: '/tmp/a.jpg', size: 10 },
      { tempFilePath: '/tmp/b.jpg', size: 20 },
    ]);
  });

  test('closing the picker is not an error', async () => {
    wxControl().chosenFiles = null;
    await expect(chooseImages('camera', 9)).resolves.toEqual([]);
  });
});

test('rows and summary describe each upload', () => {
  const base = {
    sourcePath: '/tmp/x.jpg',
    sourceSize: 2048,
    path: '/tmp/x.jpg',
    size: 2048,
    documents: [],
    batch: null,
    kind: 'image' as const,
    name: '',
  };
  const items: UploadItem[] = [
    { ...base, key: 'u1', state: 'uploading', progress: 40, error: null },
    { ...base, key: 'u2', state: 'failed', progress: 10, error: 'Too big' },
    { ...base, key: 'u3', state: 'done', progress: 100, error: null, documents: [makeDocument({ id: 9 })] },
  ];
  const rows = uploadRows(items, 'en');
  expect(rows.map((r) => r.stateLabel)).toEqual(['Uploading 40%', 'Upload failed', 'Uploaded']);
  expect(rows.map((r) => r.canRetry)).toEqual([false, true, false]);
  expect(rows[2].documentId).toBe(9);
  expect(uploadSummary(items, 'en')).toBe('1/3 done');
});

test('a batch row names how many documents the upload became and links each', () => {
  // given a zip from a chat that became two documents
  const item: UploadItem = {
    key: 'u1',
    sourcePath: '/tmp/d.zip',
    sourceSize: 4096,
    path: '/tmp/d.zip',
    size: 4096,
    state: 'done',
    progress: 100,
    error: null,
    documents: [
      makeDocument({ id: 5, original_filename: 'a.ofd' }),
      makeDocument({ id: 6, original_filename: 'b.xml' }),
    ],
    batch: { id: 1, kind: 'archive', original_filename: 'd.zip', document_count: 2 },
    kind: 'file',
    name: 'd.zip',
  };
  // when it is shown
  const [row] = uploadRows([item], 'en');
  // then it says so, lists both documents, and is drawn as a file, not a photo
  expect(row.batchLabel).toBe('2 documents from this archive');
  expect(row.documents).toEqual([
    { id: 5, name: 'a.ofd' },
    { id: 6, name: 'b.xml' },
  ]);
  expect(row.documentId).toBeNull();
  expect(row.isFile).toBe(true);
  expect(uploadRows([{ ...item, batch: { ...item.batch!, kind: 'pdf' } }], 'zh-CN')[0].batchLabel).toBe(
    '此 PDF 含 2 张发票，已分别建档',
  );
});

test('a file from a chat is sent as it is, never compressed', async () => {
  const path = writeTempFile('big.pdf', Buffer.alloc(3 * 1024 * 1024, 1));
  const item: UploadItem = {
    key: 'u1',
    sourcePath: path,
    sourceSize: 3 * 1024 * 1024,
    path,
    size: 3 * 1024 * 1024,
    state: 'queued',
    progress: 0,
    error: null,
    documents: [],
    batch: null,
    kind: 'file',
    name: 'big.pdf',
  };
  await expect(prepareForUpload(item)).resolves.toEqual({ path, size: 3 * 1024 * 1024 });
  expect(wxControl().callsOf('compressImage')).toHaveLength(0);
});

describe('the queue with the real API module', () => {
  const server = new FakeApiServer();
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  test('uploads several photos with at most 3 requests open at the server', async () => {
    // given a slow server that counts open uploads and refuses one file
    server.reset();
    wxControl().storage.set('ia.baseUrl', server.baseUrl);
    setToken('tok');
    let open = 0;
    let maxOpen = 0;
    let nextId = 100;
    server.on('POST', '/api/v1/documents/', async (req) => {
      open += 1;
      maxOpen = Math.max(maxOpen, open);
      await new Promise((r) => setTimeout(r, 40));
      open -= 1;
      if (req.files.file.filename === 'bad.png') {
        return { status: 400, body: errorBody('invalid_image', 'The image could not be read.') };
      }
      return { status: 201, body: makeDocument({ id: nextId++, status: 'received' }) };
    });
    const paths = [0, 1, 2, 3, 4].map((i) => writeTempFile(`p${i}.png`, makePng(40, 20)));
    const bad = writeTempFile('bad.png', Buffer.from('not an image'));
    const queue = new UploadQueue({
      upload: (item, onProgress) => uploadDocument(item.path, { onProgress }),
      concurrency: 3,
    });

    // when six files are queued
    queue.add([...paths, bad].map((p) => ({ tempFilePath: p, size: fs.statSync(p).size })));
    await queue.whenIdle();

    // then five arrived, the cap held, and the refused one carries the server's reason
    expect(maxOpen).toBeLessThanOrEqual(3);
    expect(maxOpen).toBeGreaterThan(1);
    const states = queue.items.map((item) => item.state);
    expect(states.filter((s) => s === 'done')).toHaveLength(5);
    const failed = queue.items.find((item) => item.state === 'failed');
    expect(failed?.error).toBe('The image could not be read.');
  });
});
