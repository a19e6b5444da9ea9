import { checkNewClaim, claimRow } from '../../../pages/claims/logic';
import { makeClaim } from '../../helpers/fixtures';
import { wxControl } from '../../helpers/wx';

beforeEach(() => wxControl().reset());

test('a claim row shows the total, the count and the state', () => {
  expect(claimRow(makeClaim({ status: 'returned', documents: [1, 2] }), 'zh-CN')).toMatchObject({
    title: '3 月北京出差',
    total: '¥1,060.00',
    count: '2 张票据',
    statusLabel: '已退回修改',
    tone: 'warn',
  });
});

test('a new claim needs a purpose', () => {
  expect(checkNewClaim('   ', 'CNY', 'en')).toEqual({
    ok: false,
    message: 'Please enter the purpose of the claim',
  });
});

test('a new claim is trimmed and keeps a known currency', () => {
  expect(checkNewClaim(' 上海出差 ', 'USD')).toEqual({ ok: true, input: { title: '上海出差', currency: 'USD' } });
  expect(checkNewClaim('上海出差', 'XXX')).toEqual({ ok: true, input: { title: '上海出差', currency: 'CNY' } });
});

test('an over-long purpose is refused', () => {
  expect(checkNewClaim('长'.repeat(201), 'CNY').ok).toBe(false);
});
