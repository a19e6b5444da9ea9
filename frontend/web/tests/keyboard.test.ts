import { describe, expect, it } from "vitest";
import { SHORTCUTS, shortcutFor, step } from "../src/lib/keyboard";

describe("shortcutFor", () => {
  it("maps the review keys", () => {
    const keys = ["j", "k", "a", "r", "x", "e", "?"].map((key) => shortcutFor({ key }, "review"));
    expect(keys).toEqual(["next", "previous", "approve", "return", "reject", "editWarning", "help"]);
  });

  it("ignores keys typed into a text field, except Escape", () => {
    const target = { tagName: "INPUT", type: "text" };
    expect(shortcutFor({ key: "a", target }, "review")).toBeNull();
    expect(shortcutFor({ key: "x", target: { tagName: "TEXTAREA" } }, "review")).toBeNull();
    expect(shortcutFor({ key: "Escape", target }, "review")).toBe("close");
  });

  it("still works while a checkbox has focus", () => {
    expect(shortcutFor({ key: "j", target: { tagName: "INPUT", type: "checkbox" } }, "queue")).toBe(
      "next",
    );
  });

  it("leaves browser shortcuts and capitals alone", () => {
    expect(shortcutFor({ key: "r", ctrlKey: true }, "review")).toBeNull();
    expect(shortcutFor({ key: "a", metaKey: true }, "queue")).toBeNull();
    expect(shortcutFor({ key: "J" }, "queue")).toBeNull();
  });

  it("knows which keys belong to which screen", () => {
    expect(shortcutFor({ key: "e" }, "queue")).toBeNull();
    expect(shortcutFor({ key: "Enter" }, "queue")).toBe("open");
    expect(shortcutFor({ key: "Enter" }, "review")).toBeNull();
  });

  it("has no key bound twice on one screen", () => {
    for (const scope of ["queue", "review"] as const) {
      const keys = SHORTCUTS.filter((s) => s.scopes.includes(scope)).map((s) => s.key);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });
});

describe("step", () => {
  it("starts at the first row going down and the last going up", () => {
    expect(step(-1, 1, 5)).toBe(0);
    expect(step(-1, -1, 5)).toBe(4);
  });

  it("stops at both ends", () => {
    expect(step(4, 1, 5)).toBe(4);
    expect(step(0, -1, 5)).toBe(0);
  });

  it("has nowhere to go in an empty list", () => {
    expect(step(0, 1, 0)).toBe(-1);
  });
});
