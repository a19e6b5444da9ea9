import { afterEach, describe, expect, it } from "vitest";
import { i18n } from "../src/lib/i18n";
import { fieldMarker, sourceLabel } from "../src/lib/provenance";
import type { Extraction } from "../src/lib/types";
import { makeExtraction } from "./fixtures";

function extraction(extra: Partial<Extraction> = {}): Extraction {
  return makeExtraction({
    document_type: "vat_electronic",
    fields: { invoice_number: "33207675", total_amount: "46.62", seller_name: "某某餐饮" },
    confidence: {},
    warnings: [],
    engine: "ocr",
    ...extra,
  });
}

describe("field provenance markers", () => {
  afterEach(() => {
    i18n.locale = "en";
  });

  it("marks each field with the status the server gave, and its source on hover", () => {
    // Given a number from the QR code, a total edited by the employee, a seller read by OCR
    const read = extraction({
      sources: { invoice_number: "qr", total_amount: "employee", seller_name: "ocr" },
      status: { invoice_number: "verified", total_amount: "edited", seller_name: "read" },
    });
    // When the markers are built in English
    // Then each field says what it is worth and where it came from
    expect(fieldMarker(read, "invoice_number")).toMatchObject({
      status: "verified",
      label: "Verified",
      source: "qr",
      title: "Source: QR code",
    });
    expect(fieldMarker(read, "total_amount")).toMatchObject({
      status: "edited",
      label: "Edited",
      title: "Source: edited by employee",
    });
    expect(fieldMarker(read, "seller_name")).toMatchObject({ status: "read", label: "Read" });
  });

  it("speaks Chinese in the Chinese UI", () => {
    // Given the Chinese locale
    i18n.locale = "zh-CN";
    const read = extraction({
      sources: { invoice_number: "qr", total_amount: "vlm" },
      status: { invoice_number: "verified", total_amount: "read" },
    });
    // Then the labels and sources are Chinese
    expect(fieldMarker(read, "invoice_number")).toMatchObject({
      label: "已核验",
      title: "来源：二维码",
    });
    expect(fieldMarker(read, "total_amount")?.sourceLabel).toBe("模型");
    expect(sourceLabel("employee")).toBe("员工修改");
    expect(sourceLabel("pdf_text")).toBe("PDF 文本");
  });

  it("shows no marker when the server sent no status (older servers, empty fields)", () => {
    expect(fieldMarker(extraction(), "total_amount")).toBeNull();
    expect(fieldMarker(null, "total_amount")).toBeNull();
  });

  it("labels a source it does not know by its name", () => {
    expect(sourceLabel("fax")).toBe("fax");
  });
});
