/**
 * Loading pages with miniprogram-simulate. Pages are TypeScript: simulate `require`s
 * "pages/x/index" and Jest resolves it to index.ts through ts-jest (see jest.config.js).
 */
import * as path from 'path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const simulate = require('miniprogram-simulate');

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Registers a page or component once per test file; render the returned id as often as needed. */
export function loadComponent(relativePath: string): string {
  return simulate.load(path.join(PROJECT_ROOT, relativePath), {
    compiler: 'simulate',
    rootPath: PROJECT_ROOT,
  });
}

export interface Rendered {
  instance: any;
  data: any;
  dom: HTMLElement;
  querySelector(selector: string): any;
  querySelectorAll(selector: string): any[];
  attach(parent: Element): void;
  detach(): void;
  setData(data: Record<string, unknown>): void;
}

export function render(id: string, properties?: Record<string, unknown>): Rendered {
  const comp = simulate.render(id, properties) as Rendered;
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

/** Visible text of a rendered node, whitespace collapsed. */
export function textOf(node: { dom: HTMLElement } | null | undefined): string {
  return (node?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Taps a node; j-component delivers events on a later microtask, so wait for it. */
export async function tap(node: { dispatchEvent(name: string, options?: object): void } | undefined): Promise<void> {
  if (!node) throw new Error('tap: no such node');
  node.dispatchEvent('tap');
  await new Promise((r) => setTimeout(r, 0));
}

/** Types into an input (bindinput), then waits like tap(). */
export async function type(
  node: { dispatchEvent(name: string, options?: object): void } | undefined,
  value: string,
): Promise<void> {
  if (!node) throw new Error('type: no such node');
  node.dispatchEvent('input', { detail: { value } });
  await new Promise((r) => setTimeout(r, 0));
}

/** Waits until `check` passes (the page's async work runs on real timers and sockets). */
export async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export { simulate };
