import { afterEach, describe, expect, it } from "vitest";
import { i18n } from "../src/lib/i18n";
import { reviewReasonTexts } from "../src/lib/reviewReasons";
import type { Extraction } from "../src/lib/types";
import { makeExtraction } from "./fixtures";

function extraction(extra: Partial<Extraction> = {}): Extraction {
  return makeExtraction({
    document_type: "vat_special",
    fields: { seller_name: "某某餐饮", total_amount: "46.62" },
    confidence: {},
    warnings: [],
    engine: "ocr",
    ...extra,
  });
}

describe("review reasons", () => {
  afterEach(() => {
    i18n.locale = "en";
  });

  it("says in words why a document waits for a person, in both languages", () => {
    // Given a seller read once, a missing date and a failed arithmetic check
    const read = extraction({
      review_reasons: ["warning:arithmetic_mismatch", "missing:issue_date", "unverified:seller_name"],
      warnings: [{ code: "arithmetic_mismatch", field: "total_amount", message: "金额 + 税额 ≠ 价税合计" }],
    });
    // When shown in English and in Chinese
    const english = reviewReasonTexts(read);
    i18n.locale = "zh-CN";
    const chinese = reviewReasonTexts(read);
    // Then each reason is a sentence naming its field, never a code
    expect(english).toHaveLength(3);
    expect(english[0]).toContain("金额 + 税额 ≠ 价税合计");
    expect(english[1]).toMatch(/was not found/);
    expect(english[2]).toMatch(/read once/);
    expect(english.join(" ")).not.toMatch(/unverified:|missing:/);
    expect(chinese[1]).toMatch(/未找到/);
    expect(chinese[2]).toMatch(/请与原件核对/);
  });

  it("has nothing to say when the server gives no reasons", () => {
    expect(reviewReasonTexts(extraction())).toEqual([]);
    expect(reviewReasonTexts(null)).toEqual([]);
  });
});
