// The review queue's order, remembered so the detail page can move on to the next claim.

const KEY = "ia.queue";

export function rememberQueue(ids: number[]): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(ids));
  } catch {
    /* storage disabled: the detail page falls back to the queue */
  }
}

export function recalledQueue(): number[] {
  try {
    const raw = JSON.parse(sessionStorage.getItem(KEY) ?? "[]");
    return Array.isArray(raw) ? raw.filter((n): n is number => typeof n === "number") : [];
  } catch {
    return [];
  }
}

export function neighbour(ids: readonly number[], current: number, delta: 1 | -1): number | null {
  const index = ids.indexOf(current);
  if (index < 0) return null;
  return ids[index + delta] ?? null;
}
