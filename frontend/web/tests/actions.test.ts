import { describe, expect, it } from "vitest";
import { CLAIM_ACTION, DOCUMENT_ACTION, type Label } from "../../shared/vocabulary";
import { claimAllows, decidable, documentAllows } from "../src/lib/actions";
import { mayEdit } from "../src/lib/evidence";
import { i18n, t } from "../src/lib/i18n";
import type { ClaimAction, DocumentAction } from "../src/lib/types";
import { makeClaim, makeDocument } from "./fixtures";

// vue-tsc fails here when the server's schema names an action without a button label.
const claimActions: Record<ClaimAction, Label> = CLAIM_ACTION;
const documentActions: Record<DocumentAction, Label> = DOCUMENT_ACTION;

describe("what the server allows", () => {
  it("offers a decision only when the server lists it, whatever the user's roles", () => {
    // Given a submitted claim seen by an admin who is no approver: the server allows a comment
    const claim = makeClaim({ status: "submitted", allowed_actions: ["comment"] });
    // Then no decision is offered
    expect(decidable(claim)).toBe(false);
    expect(claimAllows(claim, "approve")).toBe(false);
    expect(claimAllows(claim, "comment")).toBe(true);
  });

  it("offers each decision the server lists", () => {
    // Given the team manager's view of a submitted claim
    const claim = makeClaim({ status: "submitted", allowed_actions: ["approve", "return", "reject", "comment"] });
    // Then the decision is offered
    expect(decidable(claim)).toBe(true);
    expect(claimAllows(claim, "submit")).toBe(false);
  });

  it("lets fields be edited exactly when the server lists edit", () => {
    expect(mayEdit(makeDocument({ allowed_actions: ["edit", "view_original"] }))).toBe(true);
    expect(mayEdit(makeDocument({ allowed_actions: ["view_original"], can_edit: true }))).toBe(false);
    expect(documentAllows(null, "edit")).toBe(false);
  });

  it("labels every action the server can list, in both languages", () => {
    i18n.locale = "zh-CN";
    expect(t("action.claim.submit")).toBe(claimActions.submit["zh-CN"]);
    expect(t("action.document.resolve_duplicate")).toBe(documentActions.resolve_duplicate["zh-CN"]);
    i18n.locale = "en";
    expect(t("action.claim.approve")).toBe("Approve");
  });
});
