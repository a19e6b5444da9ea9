import { conversionLines } from '../../../pages/claim/logic';
import { wxControl } from '../../helpers/wx';

beforeEach(() => wxControl().reset());

const base = { claim_currency: 'CNY', rate: null, rate_date: null, rate_source: null, converted_amount: null };

test('a foreign receipt shows its rate, date, source and converted amount', () => {
  const lines = conversionLines(
    [
      { ...base, document: 1, amount: '100.00', currency: 'CNY', converted_amount: '100.00', missing_rate: false },
      {
        ...base,
        document: 2,
        amount: '47.30',
        currency: 'MYR',
        rate: '1.5432',
        rate_date: '2026-11-16',
        rate_source: 'BNM',
        converted_amount: '72.99',
        missing_rate: false,
      },
    ],
    'zh-CN',
  );
  // the CNY invoice needs no line; the MYR one says how it counts
  expect(lines).toHaveLength(1);
  expect(lines[0].text).toBe('RM47.30 × 1.5432（2026-11-16 汇率，BNM）= ¥72.99');
  expect(lines[0].missing).toBe(false);
});

test('a receipt without a rate says it is not in the total', () => {
  const [line] = conversionLines(
    [{ ...base, document: 3, amount: '20.00', currency: 'USD', missing_rate: true }],
    'en',
  );
  expect(line.missing).toBe(true);
  expect(line.text).toContain('no USD → CNY rate');
  expect(line.text).toContain('not in the total');
});
