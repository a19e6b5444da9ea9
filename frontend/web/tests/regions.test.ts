import { describe, expect, it } from "vitest";
import { regionBoxes } from "../src/lib/regions";
import type { Extraction } from "../src/lib/types";
import { makeExtraction } from "./fixtures";

function extraction(regions: unknown): Extraction {
  return makeExtraction({
    fields: { total_amount: "46.62", issue_date: "2026-04-01" },
    regions: regions as Extraction["regions"],
  });
}

describe("field regions on the displayed image", () => {
  it("scales each region of the page from fractions to the image's pixels", () => {
    // Given regions as the server sends them, fractions of the page
    const read = extraction({
      total_amount: { page: 0, box: [0.5, 0.25, 0.75, 0.3] },
      issue_date: { page: 0, box: [0, 0, 0.1, 0.05] },
    });
    // When drawn on an 1800 x 1100 image
    const boxes = Object.fromEntries(regionBoxes(read, { w: 1800, h: 1100 }));
    // Then each box lies where the fractions say, in that image's pixels
    expect(boxes.total_amount).toEqual([900, 275, 1350, 330]);
    expect(boxes.issue_date).toEqual([0, 0, 180, 55]);
  });

  it("fits the same regions to a smaller copy of the page", () => {
    // Given the same region, and the page stored at half the size
    const read = extraction({ total_amount: { page: 0, box: [0.5, 0.25, 0.75, 0.3] } });
    // When drawn / Then the box halves with the image
    expect(regionBoxes(read, { w: 900, h: 550 })).toEqual([["total_amount", [450, 137.5, 675, 165]]]);
  });

  it("leaves out other pages, malformed regions and images without a size", () => {
    // Given a region on page 2, pixel boxes (not fractions), and garbage
    const read = extraction({
      total_amount: { page: 1, box: [0.5, 0.25, 0.75, 0.3] },
      issue_date: { page: 0, box: [1290, 690, 1450, 740] },
      seller_name: { page: 0, box: [0.5, 0.5] },
      buyer_name: "nope",
    });
    // When drawn on page 0 / Then nothing is drawn
    expect(regionBoxes(read, { w: 1800, h: 1100 })).toEqual([]);
    expect(regionBoxes(extraction({ issue_date: { page: 0, box: [0, 0, 0.1, 0.1] } }), { w: 0, h: 0 })).toEqual([]);
    expect(regionBoxes(null, { w: 1800, h: 1100 })).toEqual([]);
  });
});
