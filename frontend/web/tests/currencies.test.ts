import { describe, expect, it } from "vitest";
import { loginUrl } from "../src/lib/api";
import { badgeText } from "../src/lib/counts";
import { currencyChoices } from "../src/lib/currencies";

describe("currencyChoices", () => {
  it("puts the common currencies first, then the others sorted, each once", () => {
    const out = currencyChoices(["ZAR", "CNY", "AED", "MYR"]);
    expect(out.slice(0, 8)).toEqual(["CNY", "USD", "EUR", "HKD", "JPY", "GBP", "MYR", "SGD"]);
    expect(out.slice(8)).toEqual(["AED", "ZAR"]);
  });
});

describe("badgeText", () => {
  it("caps at 99+", () => {
    expect(badgeText(7)).toBe("7");
    expect(badgeText(120)).toBe("99+");
  });
});

describe("loginUrl", () => {
  it("carries the app's route through sign-in", () => {
    expect(loginUrl("#/claims/12")).toBe("/login/?next=%2F%23%2Fclaims%2F12");
    expect(loginUrl("")).toBe("/login/");
  });
});
