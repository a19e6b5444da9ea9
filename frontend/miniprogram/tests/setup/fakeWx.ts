/**
 * A fake `wx` global for Node. The network APIs (request, uploadFile, downloadFile)
 * really talk HTTP through Node's http/https modules, so the API module is tested
 * against real servers; the UI APIs only record what the code asked for.
 *
 * The object is plain (own function properties, state in closures) because
 * miniprogram-simulate merges the existing global `wx` into its own mock with
 * Object.assign, which copies own properties only.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as os from 'os';
import * as path from 'path';

type AnyCallbacks = {
  success?: (res: any) => void;
  fail?: (err: { errMsg: string }) => void;
  complete?: (res: any) => void;
};

export interface RecordedCall {
  api: string;
  args: any;
}

export interface ChosenFile {
  tempFilePath: string;
  size: number;
  fileType?: 'image' | 'video';
}

export interface FakeWxControl {
  storage: Map<string, unknown>;
  /** UI calls (navigation, toasts, modals, chooseMedia, compressImage, ...) in order. */
  calls: RecordedCall[];
  /** Codes wx.login hands out, consumed in order; when empty, "code-<n>" is made up. */
  loginCodes: string[];
  loginError: string | null;
  systemLanguage: string;
  envVersion: 'develop' | 'trial' | 'release';
  /** What wx.chooseMedia returns next (null: the user cancelled). */
  chosenFiles: ChosenFile[] | null;
  /** wx.compressImage: returns the path of a new, smaller file. */
  compress: (src: string, quality: number) => string;
  modalConfirm: boolean;
  reset(): void;
  callsOf(api: string): any[];
}

const CHUNK_BYTES = 16 * 1024;

function fail(options: AnyCallbacks, errMsg: string): void {
  const err = { errMsg };
  options.fail?.(err);
  options.complete?.(err);
}

function succeed(options: AnyCallbacks, res: any): void {
  options.success?.(res);
  options.complete?.(res);
}

function transportFor(url: URL): typeof http | typeof https {
  return url.protocol === 'https:' ? https : http;
}

function mimeFor(filePath: string): string {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.png') return 'image/png';
  if (ext === '.jpg' || ext === '.jpeg') return 'image/jpeg';
  if (ext === '.pdf') return 'application/pdf';
  return 'application/octet-stream';
}

function lowerCaseHeaders(header: Record<string, any> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(header ?? {})) {
    if (value !== undefined && value !== null) out[key.toLowerCase()] = String(value);
  }
  return out;
}

function parseBody(text: string, dataType: string | undefined): unknown {
  // Like WeChat: dataType "json" (the default) parses when it can, else gives the text.
  if (dataType === 'text' || dataType === 'other') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function appendQuery(url: URL, data: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(data)) {
    if (value !== undefined && value !== null) url.searchParams.append(key, String(value));
  }
}

export function createFakeWx(): { wx: Record<string, any>; control: FakeWxControl } {
  let loginCounter = 0;
  let tmpCounter = 0;
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-wx-'));

  const control: FakeWxControl = {
    storage: new Map(),
    calls: [],
    loginCodes: [],
    loginError: null,
    systemLanguage: 'zh_CN',
    envVersion: 'develop',
    chosenFiles: null,
    compress: (src) => src,
    modalConfirm: true,
    reset() {
      this.storage.clear();
      this.calls.length = 0;
      this.loginCodes = [];
      this.loginError = null;
      this.systemLanguage = 'zh_CN';
      this.envVersion = 'develop';
      this.chosenFiles = null;
      this.compress = (src) => src;
      this.modalConfirm = true;
    },
    callsOf(api: string) {
      return this.calls.filter((c) => c.api === api).map((c) => c.args);
    },
  };

  const record = (api: string, args: any): void => {
    control.calls.push({ api, args });
  };

  const recordAndSucceed =
    (api: string, result: (args: any) => any = () => ({ errMsg: `${api}:ok` })) =>
    (args: any = {}) => {
      record(api, args);
      succeed(args, result(args));
    };

  function request(options: any): any {
    const url = new URL(options.url);
    const method = String(options.method ?? 'GET').toUpperCase();
    const headers = lowerCaseHeaders(options.header);
    let body: Buffer | undefined;
    if (options.data !== undefined && options.data !== null) {
      if (method === 'GET') {
        if (typeof options.data === 'object') appendQuery(url, options.data);
      } else if (typeof options.data === 'string') {
        body = Buffer.from(options.data);
      } else {
        // wx.request serialises objects as JSON when the content type is JSON (its default).
        body = Buffer.from(JSON.stringify(options.data));
        headers['content-type'] ??= 'application/json';
      }
    }
    if (body) headers['content-length'] = String(body.length);

    let settled = false;
    const req = transportFor(url).request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        const text = Buffer.concat(chunks).toString('utf8');
        succeed(options, {
          data: parseBody(text, options.dataType),
          statusCode: res.statusCode,
          header: res.headers,
          cookies: [],
          errMsg: 'request:ok',
        });
      });
    });
    req.setTimeout(options.timeout ?? 60000, () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      if (settled) return;
      settled = true;
      fail(options, `request:fail ${err.message}`);
    });
    req.end(body);
    return {
      abort: () => req.destroy(new Error('abort')),
      onHeadersReceived: () => undefined,
      offHeadersReceived: () => undefined,
    };
  }

  function uploadFile(options: any): any {
    const listeners: Array<(res: any) => void> = [];
    let aborted = false;
    let req: http.ClientRequest | null = null;
    let settled = false;
    const finishFail = (errMsg: string): void => {
      if (settled) return;
      settled = true;
      fail(options, errMsg);
    };

    // Starts on a later tick, like WeChat, so the caller can attach onProgressUpdate first.
    setTimeout(() => {
      if (aborted) return finishFail('uploadFile:fail abort');
      let file: Buffer;
      try {
        file = fs.readFileSync(options.filePath);
      } catch {
        return finishFail(`uploadFile:fail file not found ${options.filePath}`);
      }
      const boundary = `----FakeWxBoundary${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`;
      const parts: Buffer[] = [];
      for (const [key, value] of Object.entries(options.formData ?? {})) {
        parts.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${key}"\r\n\r\n${String(value)}\r\n`,
          ),
        );
      }
      parts.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${options.name}"; ` +
            `filename="${path.basename(options.filePath)}"\r\n` +
            `Content-Type: ${mimeFor(options.filePath)}\r\n\r\n`,
        ),
      );
      parts.push(file);
      parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
      const body = Buffer.concat(parts);

      const url = new URL(options.url);
      const headers = lowerCaseHeaders(options.header);
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
      headers['content-length'] = String(body.length);
      req = transportFor(url).request(url, { method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          // Like WeChat: uploadFile's data is always the raw text.
          succeed(options, {
            data: Buffer.concat(chunks).toString('utf8'),
            statusCode: res.statusCode,
            errMsg: 'uploadFile:ok',
          });
        });
      });
      req.setTimeout(options.timeout ?? 60000, () => req?.destroy(new Error('timeout')));
      req.on('error', (err) => finishFail(aborted ? 'uploadFile:fail abort' : `uploadFile:fail ${err.message}`));

      let sent = 0;
      const writeNext = (): void => {
        if (aborted || !req) return;
        if (sent >= body.length) {
          req.end();
          return;
        }
        const chunk = body.subarray(sent, sent + CHUNK_BYTES);
        req.write(chunk, () => {
          sent += chunk.length;
          const progress = Math.floor((sent / body.length) * 100);
          for (const listener of listeners) {
            listener({
              progress,
              totalBytesSent: sent,
              totalBytesExpectedToSend: body.length,
            });
          }
          writeNext();
        });
      };
      writeNext();
    }, 0);

    return {
      onProgressUpdate: (listener: (res: any) => void) => listeners.push(listener),
      offProgressUpdate: () => undefined,
      onHeadersReceived: () => undefined,
      offHeadersReceived: () => undefined,
      abort: () => {
        aborted = true;
        req?.destroy(new Error('abort'));
        if (!req) finishFail('uploadFile:fail abort');
      },
    };
  }

  function downloadFile(options: any): any {
    const url = new URL(options.url);
    const req = transportFor(url).request(
      url,
      { method: 'GET', headers: lowerCaseHeaders(options.header) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          tmpCounter += 1;
          const tempFilePath = path.join(tmpDir, `download-${tmpCounter}`);
          fs.writeFileSync(tempFilePath, Buffer.concat(chunks));
          succeed(options, { tempFilePath, statusCode: res.statusCode, errMsg: 'downloadFile:ok' });
        });
      },
    );
    req.on('error', (err) => fail(options, `downloadFile:fail ${err.message}`));
    req.end();
    return { abort: () => req.destroy(), onProgressUpdate: () => undefined };
  }

  const wx: Record<string, any> = {
    request,
    uploadFile,
    downloadFile,

    getStorageSync: (key: string) => (control.storage.has(key) ? control.storage.get(key) : ''),
    setStorageSync: (key: string, value: unknown) => {
      control.storage.set(key, value);
    },
    removeStorageSync: (key: string) => {
      control.storage.delete(key);
    },

    login: (options: any = {}) => {
      record('login', options);
      if (control.loginError) return fail(options, `login:fail ${control.loginError}`);
      loginCounter += 1;
      const code = control.loginCodes.shift() ?? `code-${loginCounter}`;
      succeed(options, { code, errMsg: 'login:ok' });
    },
    getSystemInfoSync: () => ({ language: control.systemLanguage, platform: 'devtools' }),
    getAccountInfoSync: () => ({
      miniProgram: { appId: 'wx0000000000000000', envVersion: control.envVersion, version: '' },
    }),

    chooseMedia: (options: any = {}) => {
      record('chooseMedia', options);
      if (control.chosenFiles === null) return fail(options, 'chooseMedia:fail cancel');
      const tempFiles = control.chosenFiles.slice(0, options.count ?? 9).map((f) => ({
        fileType: 'image',
        ...f,
      }));
      succeed(options, { tempFiles, type: 'image', errMsg: 'chooseMedia:ok' });
    },
    chooseMessageFile: (options: any = {}) => {
      record('chooseMessageFile', options);
      if (control.chosenFiles === null) return fail(options, 'chooseMessageFile:fail cancel');
      const tempFiles = control.chosenFiles.slice(0, options.count ?? 9).map((f) => ({
        path: f.tempFilePath,
        size: f.size,
        name: f.tempFilePath.split('/').pop(),
        type: 'file',
        time: 0,
      }));
      succeed(options, { tempFiles, errMsg: 'chooseMessageFile:ok' });
    },
    compressImage: (options: any = {}) => {
      record('compressImage', options);
      try {
        succeed(options, { tempFilePath: control.compress(options.src, options.quality ?? 80) });
      } catch (err) {
        fail(options, `compressImage:fail ${(err as Error).message}`);
      }
    },
    getFileSystemManager: () => ({
      getFileInfo: (options: any) => {
        fs.stat(options.filePath, (err, stat) => {
          if (err) fail(options, `getFileInfo:fail ${err.message}`);
          else succeed(options, { size: stat.size, errMsg: 'getFileInfo:ok' });
        });
      },
    }),

    showModal: (options: any = {}) => {
      record('showModal', options);
      succeed(options, { confirm: control.modalConfirm, cancel: !control.modalConfirm });
    },
    showToast: recordAndSucceed('showToast'),
    showLoading: recordAndSucceed('showLoading'),
    hideLoading: recordAndSucceed('hideLoading'),
    previewImage: recordAndSucceed('previewImage'),
    reLaunch: recordAndSucceed('reLaunch'),
    redirectTo: recordAndSucceed('redirectTo'),
    navigateTo: recordAndSucceed('navigateTo'),
    navigateBack: recordAndSucceed('navigateBack'),
    switchTab: recordAndSucceed('switchTab'),
    setNavigationBarTitle: recordAndSucceed('setNavigationBarTitle'),
    setTabBarItem: recordAndSucceed('setTabBarItem'),
    setTabBarBadge: recordAndSucceed('setTabBarBadge'),
    removeTabBarBadge: recordAndSucceed('removeTabBarBadge'),
    requestSubscribeMessage: (options: any = {}) => {
      record('requestSubscribeMessage', options);
      const answer: Record<string, string> = { errMsg: 'requestSubscribeMessage:ok' };
      for (const id of options.tmplIds ?? []) answer[id] = 'accept';
      succeed(options, answer);
    },
    stopPullDownRefresh: recordAndSucceed('stopPullDownRefresh'),
  };

  return { wx, control };
}
