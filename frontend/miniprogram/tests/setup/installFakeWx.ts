/**
 * Jest setupFiles entry: every test file starts with a fresh fake `wx` global.
 * Tests reach its state through `wxControl()` in tests/helpers/wx.ts.
 */
import { createFakeWx } from './fakeWx';

const { wx, control } = createFakeWx();
(globalThis as any).wx = wx;
(globalThis as any).__fakeWxControl = control;

