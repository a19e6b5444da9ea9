import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { detectLocale, translate, translateOr } from "../src/lib/i18n";
import { SHORTCUTS } from "../src/lib/keyboard";
import { messages } from "../src/lib/messages";
import { CLAIM_STATUSES, DOCUMENT_STEPS, FIELD_ORDER } from "../src/lib/status";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name: string) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|vue)$/.test(name) ? [path] : [];
  });
}

describe("catalogues", () => {
  it("have the same keys in Chinese and English", () => {
    const en = Object.keys(messages.en).sort();
    const zh = Object.keys(messages["zh-CN"]).sort();
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
  });

  it("contain every literal key the app asks for", () => {
    // Given every t("...") / t('...') with a literal key in the sources
    const used = new Set<string>();
    for (const file of sources(join(__dirname, "..", "src"))) {
      for (const match of readFileSync(file, "utf8").matchAll(/\bt\((["'])([\w.]+)\1/g)) {
        used.add(match[2]!);
      }
    }
    // Then each one is translated
    expect(used.size).toBeGreaterThan(50);
    expect([...used].filter((k) => !(k in messages.en))).toEqual([]);
  });

  it("contain the keys the app builds from status names and actions", () => {
    // Given the families of keys assembled at run time
    const documentStatuses = [
      "received", "scanning", "clean", "infected", "rejected",
      "processing", "extracted", "needs_review", "failed",
    ];
    const built = [
      ...documentStatuses.map((s) => `docStatus.${s}`),
      ...CLAIM_STATUSES.map((s) => `claimStatus.${s}`),
      ...CLAIM_STATUSES.filter((s) => s !== "draft").map((s) => `event.claim.${s}`),
      ...DOCUMENT_STEPS.map((s) => `step.${s}`),
      ...FIELD_ORDER.map((f) => `field.${f}`),
      ...SHORTCUTS.map((s) => `shortcut.${s.action}`),
      ...["approve", "return", "reject"].flatMap((d) => [
        `decision.${d}.title`, `decision.${d}.confirm`, `action.claim.${d}`, `queue.done.${d}`,
      ]),
      ...["dashboard", "exports", "claims", "none"].map((s) => `dashboard.source.${s}`),
      ...["travel", "lodging", "meals", "transport", "office", "other", "uncategorized"].map(
        (c) => `category.${c}`,
      ),
    ];
    // Then every one is translated (event.claim.draft does not exist: no event leads there)
    expect(built.filter((k) => !(k in messages.en))).toEqual([]);
  });

  it("use the same placeholders in both languages", () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const mismatched = Object.keys(messages.en).filter(
      (k) => JSON.stringify(names(messages.en[k]!)) !== JSON.stringify(names(messages["zh-CN"][k] ?? "")),
    );
    expect(mismatched).toEqual([]);
  });
});

describe("translate", () => {
  it("fills placeholders", () => {
    expect(translate("en", "claims.documents", { n: 3 })).toBe("3 document(s)");
    expect(translate("zh-CN", "claims.documents", { n: 3 })).toBe("3 张票据");
  });

  it("returns the key itself when nothing matches", () => {
    expect(translate("zh-CN", "no.such.key")).toBe("no.such.key");
  });

  it("uses the fallback for labels that come from server data", () => {
    expect(translateOr("en", "event.claim.brand_new", "claim.brand_new")).toBe("claim.brand_new");
    expect(translateOr("zh-CN", "event.claim.submitted", "x")).toBe("提交审批");
  });
});

describe("detectLocale", () => {
  it("prefers a stored choice over the browser", () => {
    expect(detectLocale("en", ["zh-CN"])).toBe("en");
  });

  it("follows the browser's first language we speak", () => {
    expect(detectLocale(null, ["zh-TW", "en"])).toBe("zh-CN");
    expect(detectLocale(null, ["de-DE", "en-GB", "zh-CN"])).toBe("en");
  });

  it("ignores a stored value that is not a locale and falls back to English", () => {
    expect(detectLocale("klingon", ["fr"])).toBe("en");
  });
});
