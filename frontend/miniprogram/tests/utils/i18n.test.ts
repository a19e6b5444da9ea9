import { detectLanguage, getLanguage, interpolate, messages, setLanguage, t } from '../../utils/i18n';
import { wxControl } from '../helpers/wx';

beforeEach(() => wxControl().reset());

function placeholders(text: string): string[] {
  return (text.match(/\{\w+\}/g) ?? []).sort();
}

test('detects English only for English WeChat languages, zh-CN otherwise', () => {
  expect(detectLanguage('en')).toBe('en');
  expect(detectLanguage('en_US')).toBe('en');
  expect(detectLanguage('zh_CN')).toBe('zh-CN');
  expect(detectLanguage('zh_TW')).toBe('zh-CN');
  expect(detectLanguage('fr')).toBe('zh-CN');
  expect(detectLanguage(undefined)).toBe('zh-CN');
});

test('follows the WeChat language until the user picks one', () => {
  // given an English phone
  wxControl().systemLanguage = 'en';
  expect(getLanguage()).toBe('en');

  // when the user chooses Chinese
  setLanguage('zh-CN');

  // then the choice wins and is kept in storage
  expect(getLanguage()).toBe('zh-CN');
  expect(wxControl().storage.get('ia.lang')).toBe('zh-CN');
});

test('both languages use the same placeholders in every message', () => {
  const zh = messages('zh-CN');
  const en = messages('en');
  const mismatched = Object.keys(zh).filter(
    (key) => placeholders(zh[key as keyof typeof zh]).join() !== placeholders(en[key as keyof typeof en]).join(),
  );
  expect(mismatched).toEqual([]);
});

test('fills placeholders and leaves unknown ones visible', () => {
  expect(t('upload_summary', { done: 2, total: 5 }, 'zh-CN')).toBe('已完成 2/5');
  expect(t('upload_summary', { done: 2, total: 5 }, 'en')).toBe('2/5 done');
  expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
});
