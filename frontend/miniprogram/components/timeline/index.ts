// The status timeline of a claim: a vertical list of steps, the latest highlighted.
Component({
  properties: {
    // TimelineEntry[] from pages/claim/logic.ts
    entries: { type: Array, value: [] },
    emptyText: { type: String, value: '' },
  },
});
