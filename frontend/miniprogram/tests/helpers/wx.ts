import type { FakeWxControl } from '../setup/fakeWx';

/** The state of the fake `wx` that tests/setup/installFakeWx.ts installed for this file. */
export function wxControl(): FakeWxControl {
  return (globalThis as any).__fakeWxControl as FakeWxControl;
}
