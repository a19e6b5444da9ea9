import { describe, expect, it } from "vitest";
import { homeRoute, isReviewer, meAllows } from "../src/lib/session";
import type { Me } from "../src/lib/types";

function me(extra: Partial<Me>): Me {
  return {
    id: 1, username: "u", display_name: "U", roles: ["employee"], scanning_available: true,
    language: "", allowed_actions: [], ...extra,
  };
}

describe("what the signed-in user may use", () => {
  it("follows /me's allowed_actions, not the roles", () => {
    // Given an admin the server gives no review queue, and an employee it gives one
    const admin = me({ roles: ["admin"], allowed_actions: ["manage_exchange_rates"] });
    const delegate = me({ roles: ["employee"], allowed_actions: ["review"] });
    // Then only the one the server lists "review" for is a reviewer
    expect(isReviewer(admin)).toBe(false);
    expect(isReviewer(delegate)).toBe(true);
    expect(meAllows(admin, "manage_exchange_rates")).toBe(true);
    expect(meAllows(admin, "view_spend")).toBe(false);
  });

  it("sends a reviewer with nothing of their own to upload to the queue", () => {
    expect(homeRoute(me({ roles: ["approver"], allowed_actions: ["review"] }), 0)).toBe("/review");
    expect(homeRoute(me({ roles: ["employee"], allowed_actions: ["review"] }), 0)).toBe("/upload");
    expect(homeRoute(me({ roles: ["employee"], allowed_actions: ["review"] }), 2)).toBe("/review");
    expect(homeRoute(me({ roles: ["admin"], allowed_actions: [] }), 3)).toBe("/upload");
  });
});
