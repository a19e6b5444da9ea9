import { errorMessage, uploadDocument } from '../../utils/api';
import { MAX_FILES_PER_PICK } from '../../utils/config';
import { messages, t } from '../../utils/i18n';
import { DOCUMENT_PAGE, DatasetEvent, parseId, requireSignIn, setTitle } from '../../utils/page';
import {
  UploadItem,
  UploadQueue,
  UploadRow,
  chooseChatFiles,
  chooseImages,
  prepareForUpload,
  uploadRows,
  uploadSummary,
} from './logic';

// One queue per page instance, outside `data` (setData would copy it).
const queues = new WeakMap<object, UploadQueue>();

Component({
  data: {
    L: messages(),
    claimId: null as number | null,
    claimLabel: '',
    hint: '',
    rows: [] as UploadRow[],
    summary: '',
    hasFailed: false,
  },

  methods: {
    onLoad(query: Record<string, string | undefined>) {
      if (!requireSignIn()) return;
      const claimId = parseId(query.claim);
      this.setData({
        L: messages(),
        claimId,
        claimLabel: claimId ? t('upload_into_claim', { id: claimId }) : '',
        hint: t('upload_hint', { max: MAX_FILES_PER_PICK }),
      });
      setTitle('upload_title');
      const queue = new UploadQueue({
        prepare: prepareForUpload,
        upload: (item, onProgress) =>
          uploadDocument(item.path, { claim: this.data.claimId, onProgress }),
        onChange: (items) => this.show(items),
      });
      queues.set(this, queue);
    },

    onUnload() {
      // Uploads already sent keep going; the page just stops drawing them.
      const queue = queues.get(this);
      if (queue) queue.onChange = null;
    },

    show(items: UploadItem[]) {
      this.setData({
        rows: uploadRows(items),
        summary: uploadSummary(items),
        hasFailed: items.some((item) => item.state === 'failed'),
      });
    },

    async pick(source: 'camera' | 'album' | 'chat') {
      const queue = queues.get(this);
      if (!queue) return;
      try {
        const files =
          source === 'chat'
            ? await chooseChatFiles(MAX_FILES_PER_PICK)
            : await chooseImages(source, MAX_FILES_PER_PICK);
        if (files.length) queue.add(files);
      } catch (err) {
        wx.showToast({ title: errorMessage(err), icon: 'none' });
      }
    },

    onTakePhoto() {
      return this.pick('camera');
    },

    onChooseAlbum() {
      return this.pick('album');
    },

    onChooseChatFile() {
      return this.pick('chat');
    },

    onRetry(e: DatasetEvent<{ key?: string }>) {
      const key = e.currentTarget.dataset.key;
      if (key) queues.get(this)?.retry(key);
    },

    onRetryAll() {
      queues.get(this)?.retryAllFailed();
    },

    onView(e: DatasetEvent<{ id?: number | string }>) {
      const id = Number(e.currentTarget.dataset.id);
      if (id > 0) wx.navigateTo({ url: `${DOCUMENT_PAGE}?id=${id}` });
    },
  },
});
