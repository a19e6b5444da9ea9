import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pollDocument } from "../src/lib/poll";
import { session } from "../src/lib/session";

// Only the browser's fetch is replaced: the poller, the API client and the error mapping
// are the real code.
function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

describe("pollDocument", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it("asks every 1.5 s and stops when the server says the document is finished", async () => {
    // Given a server that reports processing twice, then extracted (is_terminal)
    const statuses = ["scanning", "processing", "extracted", "extracted"];
    const fetch = vi.fn(async () => {
      const status = statuses.shift();
      return answer(200, { id: 7, status, is_terminal: status === "extracted" });
    });
    vi.stubGlobal("fetch", fetch);
    const seen: string[] = [];
    // When the document is followed
    pollDocument(7, (doc) => seen.push(doc.status));
    await vi.advanceTimersByTimeAsync(1499);
    expect(fetch).toHaveBeenCalledTimes(0);
    await vi.advanceTimersByTimeAsync(1500 * 5);
    // Then it saw each state and asked no more after "extracted"
    expect(seen).toEqual(["scanning", "processing", "extracted"]);
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(fetch.mock.calls[0]).toEqual([
      "/api/v1/documents/7/",
      expect.objectContaining({ credentials: "same-origin", method: "GET" }),
    ]);
  });

  it("keeps trying through a network error", async () => {
    const fetch = vi
      .fn()
      .mockRejectedValueOnce(new TypeError("offline"))
      .mockResolvedValue(answer(200, { id: 7, status: "needs_review", is_terminal: true }));
    vi.stubGlobal("fetch", fetch);
    const seen: string[] = [];
    pollDocument(7, (doc) => seen.push(doc.status));
    await vi.advanceTimersByTimeAsync(1500 * 3);
    expect(seen).toEqual(["needs_review"]);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("gives up on a document that is gone", async () => {
    const fetch = vi.fn(async () => answer(404, { error: { code: "not_found", message: "No." } }));
    vi.stubGlobal("fetch", fetch);
    const errors: unknown[] = [];
    pollDocument(7, () => {}, (err) => errors.push(err));
    await vi.advanceTimersByTimeAsync(1500 * 4);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(errors).toHaveLength(1);
  });

  it("stops when told to", async () => {
    const fetch = vi.fn(async () => answer(200, { id: 7, status: "processing" }));
    vi.stubGlobal("fetch", fetch);
    const poller = pollDocument(7, () => {});
    await vi.advanceTimersByTimeAsync(1500 * 2);
    poller.stop();
    await vi.advanceTimersByTimeAsync(1500 * 4);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("raises the no-scanning banner when the server says so in a header", async () => {
    session.scanningUnavailable = false;
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => answer(200, { id: 7, status: "extracted" }, { "X-Virus-Scanning": "unavailable" })),
    );
    pollDocument(7, () => {});
    await vi.advanceTimersByTimeAsync(1500);
    expect(session.scanningUnavailable).toBe(true);
  });
});
