import { formatBytes, formatDateTime, formatMoney, formatPercent } from '../../utils/format';

describe('formatMoney', () => {
  test('groups thousands and pads cents without floating point', () => {
    expect(formatMoney('1234567.5', 'CNY')).toBe('¥1,234,567.50');
    expect(formatMoney('0.1', 'CNY')).toBe('¥0.10');
    // 0.1 + 0.2 style errors cannot happen: the digits are kept as text
    expect(formatMoney('9007199254740993.07')).toBe('9,007,199,254,740,993.07');
  });

  test('shows negative (red-letter) amounts with the sign first', () => {
    expect(formatMoney('-60.00', 'CNY')).toBe('-¥60.00');
  });

  test('uses the ISO code when there is no symbol', () => {
    expect(formatMoney('10', 'THB')).toBe('THB 10.00');
    expect(formatMoney('10', 'myr')).toBe('RM10.00');
  });

  test('shows a dash for missing values and unparsable text as given', () => {
    expect(formatMoney(null, 'CNY')).toBe('—');
    expect(formatMoney('', 'CNY')).toBe('—');
    expect(formatMoney('约 12 元', 'CNY')).toBe('约 12 元');
  });
});

test('formatBytes picks a readable unit', () => {
  expect(formatBytes(512)).toBe('512 B');
  expect(formatBytes(1536)).toBe('1.5 KB');
  expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
});

test('formatDateTime shows the local (China) time', () => {
  // the test setup runs in Asia/Shanghai, UTC+8
  expect(formatDateTime('2024-03-05T06:07:08Z')).toBe('2024-03-05 14:07');
  expect(formatDateTime(null)).toBe('—');
  expect(formatDateTime('not a date')).toBe('not a date');
});

test('formatPercent rounds and clamps', () => {
  expect(formatPercent(0.873)).toBe('87%');
  expect(formatPercent(1.2)).toBe('100%');
  expect(formatPercent(undefined)).toBe('');
});
