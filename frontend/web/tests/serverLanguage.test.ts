import { describe, expect, it } from "vitest";
import { localeFromServer, serverLanguage } from "../src/lib/i18n";

describe("the server's language", () => {
  it("is the UI's, in the code the server's catalogue uses", () => {
    expect(serverLanguage("zh-CN")).toBe("zh-hans");
    expect(serverLanguage("en")).toBe("en");
  });

  it("saved on the server becomes the UI's locale; none keeps the browser's", () => {
    expect(localeFromServer("zh-hans")).toBe("zh-CN");
    expect(localeFromServer("en")).toBe("en");
    expect(localeFromServer("")).toBeNull();
    expect(localeFromServer(undefined)).toBeNull();
  });
});
