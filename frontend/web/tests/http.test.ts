import { describe, expect, it } from "vitest";
import { cookieValue, relativeUrl, withQuery } from "../src/lib/http";
import { neighbour } from "../src/lib/queueMemory";

describe("cookieValue", () => {
  it("finds the CSRF token among other cookies", () => {
    expect(cookieValue("sessionid=abc; csrftoken=t0k%3Dn; theme=dark", "csrftoken")).toBe("t0k=n");
    expect(cookieValue("sessionid=abc", "csrftoken")).toBeNull();
  });
});

describe("withQuery", () => {
  it("drops empty filters", () => {
    expect(withQuery("/api/v1/review/queue/", { status: "", owner: null, search: "tea", page: 2 })).toBe(
      "/api/v1/review/queue/?search=tea&page=2",
    );
    expect(withQuery("/x/", {})).toBe("/x/");
  });
});

describe("relativeUrl", () => {
  it("keeps path and query of the server's absolute next link", () => {
    expect(relativeUrl("http://testserver/api/v1/claims/?page=2")).toBe("/api/v1/claims/?page=2");
  });
});

describe("neighbour", () => {
  it("finds the next claim of the remembered queue", () => {
    expect(neighbour([5, 9, 2], 9, 1)).toBe(2);
    expect(neighbour([5, 9, 2], 2, 1)).toBeNull();
    expect(neighbour([5, 9, 2], 7, 1)).toBeNull();
  });
});
