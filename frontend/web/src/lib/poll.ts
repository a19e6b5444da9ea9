// Follow one document until the pipeline is done with it.

import { api } from "./api";
import { ApiError } from "./errors";
import { POLL_INTERVAL_MS } from "./status";
import type { InvoiceDocument } from "./types";

export interface Poller {
  stop(): void;
}

export function pollDocument(
  id: number,
  onUpdate: (doc: InvoiceDocument) => void,
  onError: (err: unknown) => void = () => {},
  intervalMs = POLL_INTERVAL_MS,
): Poller {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      const doc = await api.document(id);
      if (stopped) return;
      onUpdate(doc);
      if (doc.is_terminal) return;
    } catch (err) {
      onError(err);
      // A deleted or forbidden document will not come back; a network blip may.
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) return;
    }
    timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, intervalMs);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
