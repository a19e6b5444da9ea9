import { describe, expect, it } from "vitest";
import { ApiError, errorFromBody, errorMessageKey, policyViolations } from "../src/lib/errors";

describe("errorFromBody", () => {
  it("reads the backend's error envelope", () => {
    const err = errorFromBody(400, {
      error: { code: "policy_violation", message: "Fix it", details: { violations: [] } },
    });
    expect(err).toBeInstanceOf(ApiError);
    expect([err.status, err.code, err.message]).toEqual([400, "policy_violation", "Fix it"]);
  });

  it("reads DRF's default {detail} answers", () => {
    const err = errorFromBody(403, { detail: "Authentication credentials were not provided.", code: "not_authenticated" });
    expect(err.code).toBe("not_authenticated");
    expect(err.message).toContain("credentials");
  });

  it("flattens field validation errors into one line", () => {
    const err = errorFromBody(400, { title: ["This field is required."], non_field_errors: ["Bad."] });
    expect(err.code).toBe("invalid");
    expect(err.message).toBe("title: This field is required.; Bad.");
  });

  it("derives a code from the status when the body is not JSON", () => {
    expect(errorFromBody(502, "<html>Bad gateway</html>", "Bad Gateway").code).toBe("server_error");
    expect(errorFromBody(409, null).code).toBe("conflict");
    expect(errorFromBody(413, "").code).toBe("file_too_large");
  });
});

describe("policyViolations", () => {
  it("lists the violations of a refused submit", () => {
    const err = errorFromBody(400, {
      error: {
        code: "policy_violation",
        message: "Policy",
        details: { violations: [{ code: "date_window", message: "Too old", document: 7 }, { code: "x", message: "y" }] },
      },
    });
    expect(policyViolations(err)).toEqual([
      { code: "date_window", message: "Too old", document: 7 },
      { code: "x", message: "y", document: null },
    ]);
  });

  it("is empty for other errors", () => {
    expect(policyViolations(new Error("boom"))).toEqual([]);
    expect(policyViolations(errorFromBody(409, null))).toEqual([]);
  });
});

describe("errorMessageKey", () => {
  it("has a translated message for generic failures and none for specific ones", () => {
    expect(errorMessageKey(new ApiError(0, "network_error", "x"))).toBe("error.network");
    expect(errorMessageKey(new ApiError(409, "conflict", "x"))).toBe("error.conflict");
    expect(errorMessageKey(new ApiError(400, "comment_required", "Say why"))).toBeNull();
    expect(errorMessageKey("weird")).toBe("error.unexpected");
  });
});
