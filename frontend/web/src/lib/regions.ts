import type { Box, Extraction, FieldRegion } from "./types";

function isFraction(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 1;
}

function isRegion(value: unknown): value is FieldRegion {
  if (!value || typeof value !== "object") return false;
  const { page, box } = value as { page?: unknown; box?: unknown };
  return (
    Number.isInteger(page) &&
    Array.isArray(box) &&
    box.length === 4 &&
    box.every(isFraction) &&
    box[0] <= box[2] &&
    box[1] <= box[3]
  );
}

/**
 * Each field's region on ``page`` in pixels of the displayed image (its natural size):
 * the server sends regions as fractions (0..1) of the page, so they fit any size the
 * image is stored or shown at. Malformed entries and other pages are left out.
 */
export function regionBoxes(
  extraction: Extraction | null | undefined,
  size: { w: number; h: number },
  page = 0,
): [string, Box][] {
  const regions = extraction?.regions;
  if (!regions || typeof regions !== "object" || size.w <= 0 || size.h <= 0) return [];
  const out: [string, Box][] = [];
  for (const [field, region] of Object.entries(regions)) {
    if (!isRegion(region) || region.page !== page) continue;
    const [x0, y0, x1, y1] = region.box;
    out.push([field, [x0 * size.w, y0 * size.h, x1 * size.w, y1 * size.h]]);
  }
  return out;
}
