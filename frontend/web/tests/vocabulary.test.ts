import { describe, expect, it } from "vitest";
import {
  CLAIM_STATUS,
  DOCUMENT_STATUS,
  FIELD,
  labelOf,
  type Label,
  type StatusLabel,
} from "../../shared/vocabulary";
import { i18n, t } from "../src/lib/i18n";
import { claimTone, documentTone, FIELD_ORDER } from "../src/lib/status";
import type { ClaimStatus, DocumentStatus } from "../src/lib/types";

// vue-tsc fails here when the server's schema (the generated enums) names a status the
// shared vocabulary has no label and tone for.
const documentStatuses: Record<DocumentStatus, StatusLabel> = DOCUMENT_STATUS;
const claimStatuses: Record<ClaimStatus, StatusLabel> = CLAIM_STATUS;
const fields: Record<(typeof FIELD_ORDER)[number], Label> = FIELD;

describe("the shared vocabulary", () => {
  it("labels every status in both languages", () => {
    for (const entry of [...Object.values(documentStatuses), ...Object.values(claimStatuses)]) {
      expect(entry["zh-CN"]).not.toBe("");
      expect(entry.en).not.toBe("");
    }
    expect(Object.keys(fields)).toHaveLength(FIELD_ORDER.length);
  });

  it("is what the web app shows", () => {
    // Given the app in Chinese
    i18n.locale = "zh-CN";
    // Then statuses and fields read as the vocabulary says, in the vocabulary's tones
    expect(t("docStatus.needs_review")).toBe(DOCUMENT_STATUS.needs_review["zh-CN"]);
    expect(t("claimStatus.manager_approved")).toBe("主管已审批");
    expect(t("field.seller_name")).toBe("销售方名称");
    expect(documentTone("needs_review")).toBe("warn");
    expect(claimTone("finance_approved")).toBe("ok");
    i18n.locale = "en";
  });

  it("shows a status it does not know by its name, in a neutral tone", () => {
    // Given a status a newer server sends
    // Then it is shown as sent, neither busy nor done
    expect(labelOf(DOCUMENT_STATUS, "archived", "en")).toBe("archived");
    expect(documentTone("archived")).toBe("neutral");
    expect(claimTone("archived")).toBe("neutral");
  });
});
