/**
 * The upload queue: chosen photos -> (compressed) -> uploaded, a few at a time, each with
 * its own progress; failures keep the server's message and can be retried.
 *
 * The queue knows nothing about wx: it is given a `prepare` step and an `upload` function,
 * so its scheduling is tested without WeChat.
 */
import { ApiError, UploadHandle, UploadProgress, errorMessage } from '../../utils/api';
import {
  COMPRESS_QUALITY,
  COMPRESS_THRESHOLD_BYTES,
  MAX_UPLOAD_BYTES,
  UPLOAD_CONCURRENCY,
} from '../../utils/config';
import { formatBytes } from '../../utils/format';
import { Lang, getLanguage, t } from '../../utils/i18n';
import type { DocumentDto, UploadBatchDto, UploadOutcome } from '../../utils/types';

export type UploadState = 'queued' | 'compressing' | 'uploading' | 'done' | 'failed';

export interface UploadItem {
  key: string;
  /** The file chosen by the user. */
  sourcePath: string;
  sourceSize: number;
  /** The file actually sent (the compressed copy when there is one). */
  path: string;
  size: number;
  state: UploadState;
  progress: number;
  error: string | null;
  /** One document, or every document a zip / a PDF of several invoices became. */
  documents: DocumentDto[];
  batch: UploadBatchDto | null;
  /** 'file': a PDF, OFD, XML or zip chosen from a chat (never compressed, no thumbnail). */
  kind: 'image' | 'file';
  name: string;
}

export interface ChosenFile {
  tempFilePath: string;
  size: number;
  kind?: 'image' | 'file';
  name?: string;
}

export interface PreparedFile {
  path: string;
  size: number;
}

export type PrepareFn = (item: UploadItem) => Promise<PreparedFile>;
export type UploadFn = (
  item: UploadItem,
  onProgress: (p: UploadProgress) => void,
) => UploadHandle<UploadOutcome>;

export function needsCompression(size: number, threshold = COMPRESS_THRESHOLD_BYTES): boolean {
  return size > threshold;
}

/** Checked after compression: the server would refuse the file anyway. */
export function tooLargeMessage(size: number, limit = MAX_UPLOAD_BYTES): string | null {
  return size > limit ? t('upload_too_large', { size: formatBytes(size), limit: formatBytes(limit) }) : null;
}

export interface QueueOptions {
  upload: UploadFn;
  prepare?: PrepareFn;
  concurrency?: number;
  onChange?: (items: UploadItem[]) => void;
}

export class UploadQueue {
  private readonly list: UploadItem[] = [];
  private readonly handles = new Map<string, UploadHandle<UploadOutcome>>();
  private readonly concurrency: number;
  private nextKey = 1;
  private active = 0;
  private idleWaiters: Array<() => void> = [];
  onChange: ((items: UploadItem[]) => void) | null;

  constructor(private readonly options: QueueOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? UPLOAD_CONCURRENCY);
    this.onChange = options.onChange ?? null;
  }

  get items(): UploadItem[] {
    return this.list.map((item) => ({ ...item }));
  }

  get activeCount(): number {
    return this.active;
  }

  add(files: ChosenFile[]): UploadItem[] {
    const added = files.map((file) => {
      const item: UploadItem = {
        key: `u${this.nextKey++}`,
        sourcePath: file.tempFilePath,
        sourceSize: file.size,
        path: file.tempFilePath,
        size: file.size,
        state: 'queued',
        progress: 0,
        error: null,
        documents: [],
        batch: null,
        kind: file.kind ?? 'image',
        name: file.name ?? '',
      };
      this.list.push(item);
      return item;
    });
    this.changed();
    this.pump();
    return added.map((item) => ({ ...item }));
  }

  /** Puts a failed item back in line, from its original file (it may compress again). */
  retry(key: string): boolean {
    const item = this.find(key);
    if (!item || item.state !== 'failed') return false;
    Object.assign(item, {
      state: 'queued',
      progress: 0,
      error: null,
      path: item.sourcePath,
      size: item.sourceSize,
    });
    this.changed();
    this.pump();
    return true;
  }

  retryAllFailed(): number {
    const failed = this.list.filter((item) => item.state === 'failed');
    failed.forEach((item) => this.retry(item.key));
    return failed.length;
  }

  /** Drops an item that is not in flight. */
  remove(key: string): boolean {
    const index = this.list.findIndex((item) => item.key === key);
    if (index === -1) return false;
    const state = this.list[index].state;
    if (state === 'uploading' || state === 'compressing') return false;
    this.list.splice(index, 1);
    this.changed();
    return true;
  }

  abortAll(): void {
    this.handles.forEach((handle) => handle.abort());
  }

  /** Resolves when nothing is queued or in flight. */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.active === 0 && !this.list.some((item) => item.state === 'queued');
  }

  private find(key: string): UploadItem | undefined {
    return this.list.find((item) => item.key === key);
  }

  private changed(): void {
    this.onChange?.(this.items);
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const item = this.list.find((candidate) => candidate.state === 'queued');
      if (!item) break;
      this.active += 1;
      void this.run(item).finally(() => {
        this.active -= 1;
        this.pump();
        if (this.isIdle()) {
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          waiters.forEach((resolve) => resolve());
        }
      });
    }
  }

  private async run(item: UploadItem): Promise<void> {
    try {
      if (this.options.prepare) {
        item.state = 'compressing';
        this.changed();
        const prepared = await this.options.prepare({ ...item });
        item.path = prepared.path;
        item.size = prepared.size;
      }
      const tooLarge = tooLargeMessage(item.size);
      if (tooLarge) throw new ApiError(413, 'too_large', tooLarge);
      item.state = 'uploading';
      item.progress = 0;
      this.changed();
      const handle = this.options.upload({ ...item }, (p) => {
        // Progress events can trail the answer; never move a finished bar back.
        if (item.state !== 'uploading' || p.progress <= item.progress) return;
        item.progress = Math.min(100, p.progress);
        this.changed();
      });
      this.handles.set(item.key, handle);
      const outcome = await handle.promise;
      item.documents = outcome.documents;
      item.batch = outcome.batch;
      item.state = 'done';
      item.progress = 100;
    } catch (err) {
      item.state = 'failed';
      item.error = errorMessage(err);
    } finally {
      this.handles.delete(item.key);
    }
    this.changed();
  }
}

// ---- the wx side: picking and compressing -------------------------------------------------

export function chooseImages(source: 'camera' | 'album', count: number): Promise<ChosenFile[]> {
  return new Promise((resolve, reject) => {
    wx.chooseMedia({
      count,
      mediaType: ['image'],
      sourceType: [source],
      sizeType: ['compressed'],
      success: (res) => resolve(res.tempFiles.map((f) => ({ tempFilePath: f.tempFilePath, size: f.size }))),
      fail: (err) => {
        // Closing the picker is not an error worth showing.
        if (/cancel/i.test(err.errMsg)) resolve([]);
        else reject(new Error(err.errMsg));
      },
    });
  });
}

/** E-invoice files (PDF, OFD, XML, or a zip of them) as WeChat delivers them: in a chat. */
export const CHAT_FILE_EXTENSIONS = ['pdf', 'ofd', 'xml', 'zip', 'jpg', 'jpeg', 'png'];

export function chooseChatFiles(count: number): Promise<ChosenFile[]> {
  return new Promise((resolve, reject) => {
    wx.chooseMessageFile({
      count,
      type: 'file',
      extension: CHAT_FILE_EXTENSIONS,
      success: (res) =>
        resolve(
          res.tempFiles.map((f) => ({
            tempFilePath: f.path,
            size: f.size,
            kind: 'file' as const,
            name: f.name,
          })),
        ),
      fail: (err) => {
        if (/cancel/i.test(err.errMsg)) resolve([]);
        else reject(new Error(err.errMsg));
      },
    });
  });
}

function fileSize(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    wx.getFileSystemManager().getFileInfo({
      filePath: path,
      success: (res) => resolve(res.size),
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

function compress(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    wx.compressImage({
      src: path,
      quality: COMPRESS_QUALITY,
      success: (res) => resolve(res.tempFilePath),
      fail: (err) => reject(new Error(err.errMsg)),
    });
  });
}

/**
 * Compresses big images; if compression fails or does not help, the original goes up
 * (a sharp large photo beats no upload).
 */
export async function prepareForUpload(item: UploadItem): Promise<PreparedFile> {
  const original = { path: item.sourcePath, size: item.sourceSize };
  if (item.kind === 'file' || !needsCompression(item.sourceSize)) return original;
  try {
    const path = await compress(item.sourcePath);
    const size = await fileSize(path);
    return size < item.sourceSize ? { path, size } : original;
  } catch {
    return original;
  }
}

// ---- what the page shows ---------------------------------------------------------------

export interface UploadRow {
  key: string;
  state: UploadState;
  progress: number;
  stateLabel: string;
  sizeLabel: string;
  thumb: string;
  error: string;
  canRetry: boolean;
  /** The document, when the upload made exactly one. */
  documentId: number | null;
  isFile: boolean;
  name: string;
  /** "3 documents from this archive"; empty for a single document. */
  batchLabel: string;
  /** Every document of a batch, each with its own link. */
  documents: Array<{ id: number; name: string }>;
}

export function uploadRows(items: UploadItem[], lang: Lang = getLanguage()): UploadRow[] {
  return items.map((item) => ({
    key: item.key,
    state: item.state,
    progress: item.progress,
    stateLabel:
      item.state === 'uploading'
        ? t('upload_state_uploading', { progress: item.progress }, lang)
        : t(`upload_state_${item.state}`, undefined, lang),
    sizeLabel: formatBytes(item.size),
    thumb: item.sourcePath,
    error: item.error ?? '',
    canRetry: item.state === 'failed',
    documentId: !item.batch && item.documents.length === 1 ? item.documents[0].id : null,
    isFile: item.kind === 'file',
    name: item.name,
    batchLabel: item.batch
      ? t(
          item.batch.kind === 'pdf' ? 'upload_from_pdf' : 'upload_from_archive',
          { n: item.documents.length },
          lang,
        )
      : '',
    documents: item.batch
      ? item.documents.map((d) => ({ id: d.id, name: d.original_filename || `#${d.id}` }))
      : [],
  }));
}

export function uploadSummary(items: UploadItem[], lang: Lang = getLanguage()): string {
  if (!items.length) return '';
  const done = items.filter((item) => item.state === 'done').length;
  return t('upload_summary', { done, total: items.length }, lang);
}
