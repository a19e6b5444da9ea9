/** Static checks of the project as WeChat DevTools will load it. */
import * as fs from 'fs';
import * as path from 'path';
import { messages } from '../utils/i18n';

const ROOT = path.resolve(__dirname, '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
const app = readJson('app.json');

function wxmlFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return wxmlFiles(rel);
    return entry.name.endsWith('.wxml') ? [rel] : [];
  });
}

test('every page in app.json has its four files', () => {
  const missing = (app.pages as string[]).flatMap((page) =>
    ['ts', 'wxml', 'wxss', 'json']
      .map((ext) => `${page}.${ext}`)
      .filter((file) => !fs.existsSync(path.join(ROOT, file))),
  );
  expect(missing).toEqual([]);
});

test('the tab bar points at registered pages', () => {
  const tabs = (app.tabBar.list as Array<{ pagePath: string }>).map((tab) => tab.pagePath);
  expect(tabs.filter((tab) => !app.pages.includes(tab))).toEqual([]);
  expect(tabs).toHaveLength(3);
});

test('every used component exists', () => {
  const missing: string[] = [];
  for (const page of [...app.pages, 'components/timeline/index']) {
    const using: Record<string, string> = readJson(`${page}.json`).usingComponents ?? {};
    for (const target of Object.values(using)) {
      const resolved = target.startsWith('/') ? target.slice(1) : path.join(path.dirname(page), target);
      if (!fs.existsSync(path.join(ROOT, `${resolved}.json`))) missing.push(`${page} -> ${target}`);
    }
  }
  expect(missing).toEqual([]);
});

test('every {{L.key}} in the templates exists in the dictionaries', () => {
  const known = messages('zh-CN');
  const unknown = [...wxmlFiles('pages'), ...wxmlFiles('components')].flatMap((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    return [...text.matchAll(/\bL\.(\w+)/g)]
      .map((m) => m[1])
      .filter((key) => !(key in known))
      .map((key) => `${file}: ${key}`);
  });
  expect(unknown).toEqual([]);
});

test('the upload package leaves out tests and tooling', () => {
  const ignored = (readJson('project.config.json').packOptions.ignore as Array<{ value: string }>).map((i) => i.value);
  expect(ignored).toEqual(expect.arrayContaining(['tests', 'node_modules', 'package.json', 'jest.config.js']));
});
