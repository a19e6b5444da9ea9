// Per-field provenance as the reviewer sees it: a marker (verified / read / edited) and, on
// hover or tap, where the value came from. The server computes the status
// (extraction/provenance.py); the client only labels it.

import { t, tOr } from "./i18n";
import type { Extraction, FieldStatus } from "./types";

export interface FieldMarker {
  status: FieldStatus;
  label: string; // "Verified", "已修改", ...
  source: string | null; // the raw source ("qr"), null when the server sent none
  sourceLabel: string; // "QR code", "二维码", ...
  title: string; // "Source: QR code"
}

const STATUSES: ReadonlySet<string> = new Set(["verified", "read", "edited"]);

export function sourceLabel(source: string): string {
  return tOr(`source.${source}`, source);
}

export function fieldMarker(extraction: Extraction | null | undefined, field: string): FieldMarker | null {
  const status = extraction?.status?.[field];
  if (!status || !STATUSES.has(status)) return null;
  const source = extraction?.sources?.[field] ?? null;
  const shown = source ? sourceLabel(source) : "—";
  return {
    status,
    label: t(`provenance.${status}`),
    source,
    sourceLabel: shown,
    title: t("provenance.from", { source: shown }),
  };
}
