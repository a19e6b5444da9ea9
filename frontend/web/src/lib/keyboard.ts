// Reviewer shortcuts: one table, used by the views and by the help overlay.

export type ShortcutAction =
  | "next"
  | "previous"
  | "approve"
  | "return"
  | "reject"
  | "editWarning"
  | "open"
  | "toggleSelect"
  | "help"
  | "close";

export type ShortcutScope = "queue" | "review";

export interface Shortcut {
  key: string; // as shown to the user
  action: ShortcutAction;
  scopes: readonly ShortcutScope[];
}

export const SHORTCUTS: readonly Shortcut[] = [
  { key: "j", action: "next", scopes: ["queue", "review"] },
  { key: "k", action: "previous", scopes: ["queue", "review"] },
  { key: "a", action: "approve", scopes: ["queue", "review"] },
  { key: "r", action: "return", scopes: ["queue", "review"] },
  { key: "x", action: "reject", scopes: ["queue", "review"] },
  { key: "e", action: "editWarning", scopes: ["review"] },
  { key: "Enter", action: "open", scopes: ["queue"] },
  { key: " ", action: "toggleSelect", scopes: ["queue"] },
  { key: "?", action: "help", scopes: ["queue", "review"] },
  { key: "Escape", action: "close", scopes: ["queue", "review"] },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  // The focused element: typing into a field must never trigger a shortcut.
  target?: TargetLike | EventTarget | null;
}

interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
  type?: string;
}

const TYPING_TAGS = new Set(["INPUT", "TEXTAREA", "SELECT"]);
// Inputs that do not take text: shortcuts still work while a checkbox has focus.
const NON_TEXT_INPUTS = new Set(["checkbox", "radio", "button", "submit"]);

export function isTyping(raw: KeyLike["target"]): boolean {
  if (!raw) return false;
  const target = raw as TargetLike;
  if (target.isContentEditable) return true;
  const tag = (target.tagName ?? "").toUpperCase();
  if (tag === "INPUT" && NON_TEXT_INPUTS.has((target.type ?? "").toLowerCase())) return false;
  return TYPING_TAGS.has(tag);
}

export function shortcutFor(event: KeyLike, scope: ShortcutScope): ShortcutAction | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (event.key !== "Escape" && isTyping(event.target)) return null;
  // Shift+j etc. (capital letters) are not shortcuts: only "?" needs Shift by nature.
  if (event.key.length === 1 && event.key !== event.key.toLowerCase()) return null;
  const match = SHORTCUTS.find((s) => s.key === event.key && s.scopes.includes(scope));
  return match ? match.action : null;
}

// Moves a cursor through a list without falling off either end.
export function step(index: number, delta: number, length: number): number {
  if (length <= 0) return -1;
  if (index < 0) return delta > 0 ? 0 : length - 1;
  return Math.min(length - 1, Math.max(0, index + delta));
}
