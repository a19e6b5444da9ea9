import { addableDocuments, buildTimeline, claimView, mapWithLimit, returnNote } from '../../../pages/claim/logic';
import { makeClaim, makeDocument } from '../../helpers/fixtures';
import { wxControl } from '../../helpers/wx';

beforeEach(() => wxControl().reset());

test('the timeline runs oldest first and marks the latest step', () => {
  // given events delivered newest first
  const events = [
    { action: 'returned', actor: '李经理', created_at: '2024-03-07T02:00:00Z', comment: '缺少行程单' },
    { action: 'created', actor: 'zs', created_at: '2024-03-05T02:00:00Z', comment: null },
    { action: 'submitted', actor: 'zs', created_at: '2024-03-06T02:00:00Z', comment: null },
  ];

  // when the timeline is built
  const timeline = buildTimeline(events, 'zh-CN');

  // then it reads like the claim's journey
  expect(timeline.map((e) => e.title)).toEqual(['创建报销单', '提交审批', '退回修改']);
  expect(timeline.map((e) => e.latest)).toEqual([false, false, true]);
  expect(timeline[2]).toMatchObject({ meta: '李经理 · 2024-03-07 10:00', comment: '缺少行程单', tone: 'warn' });
});

test('unknown actions show their raw name', () => {
  const [entry] = buildTimeline([{ action: 'escalated', actor: null, created_at: '2024-03-05T02:00:00Z', comment: null }]);
  expect(entry.title).toBe('escalated');
  expect(entry.meta).toBe('2024-03-05 10:00');
});

test.each([
  ['draft', 1, true, true],
  ['draft', 0, true, false],
  ['returned', 1, true, true],
  ['submitted', 1, false, false],
  ['paid', 1, false, false],
] as const)('a %s claim with %i documents: documents can be added %s, can submit %s', (status, n, canAdd, canSubmit) => {
  const view = claimView(makeClaim({ status, documents: Array.from({ length: n }, (_, i) => i + 1) }));
  expect(view.canAdd).toBe(canAdd);
  expect(view.canSubmit).toBe(canSubmit);
});

test('the page offers exactly the actions the server lists, whatever the status', () => {
  // given a returned claim whose owner the server lets only comment (say, a newer rule)
  const view = claimView(makeClaim({ status: 'returned', allowed_actions: ['comment'] }));
  // then nothing else is offered
  expect(view).toMatchObject({
    canAdd: false,
    canRemove: false,
    canMove: false,
    showSubmit: false,
    canSubmit: false,
    canDelete: false,
  });
  // and a draft's delete shows only where the server lists it
  expect(claimView(makeClaim({ status: 'draft' })).canDelete).toBe(true);
  expect(claimView(makeClaim({ status: 'returned' })).canDelete).toBe(false);
});

test('only free, accepted documents can be added to a claim', () => {
  const docs = [
    makeDocument({ id: 1 }),
    makeDocument({ id: 2, claim: 9 }),
    makeDocument({ id: 3, status: 'infected' }),
    makeDocument({ id: 4, status: 'processing' }),
  ];
  expect(addableDocuments(docs).map((d) => d.id)).toEqual([1, 4]);
});

test('mapWithLimit keeps order, caps concurrency and reports failures', async () => {
  let open = 0;
  let maxOpen = 0;
  const results = await mapWithLimit([1, 2, 3, 4, 5], 2, async (n) => {
    open += 1;
    maxOpen = Math.max(maxOpen, open);
    await new Promise((r) => setTimeout(r, 5 * (6 - n)));
    open -= 1;
    if (n === 3) throw new Error('boom');
    return n * 10;
  });
  expect(maxOpen).toBe(2);
  expect(results.map((r) => (r.ok ? r.value : 'x'))).toEqual([10, 20, 'x', 40, 50]);
});

test('events named by the server with their claim. prefix get their labels and tones', () => {
  // given the server's own action names
  const timeline = buildTimeline(
    [{ action: 'claim.returned', actor: '李经理', created_at: '2024-03-07T02:00:00Z', comment: '缺少行程单' }],
    'zh-CN',
  );
  // then they read as words, with the return's warning tone
  expect(timeline[0]).toMatchObject({ title: '退回修改', tone: 'warn' });
});

test('a returned claim names its latest reason for the top of the page', () => {
  // given a claim returned twice
  const claim = makeClaim({
    status: 'returned',
    events: [
      { action: 'claim.returned', actor: '李经理', created_at: '2024-03-05T02:00:00Z', comment: '缺少发票' },
      { action: 'claim.submitted', actor: 'zs', created_at: '2024-03-06T02:00:00Z', comment: null },
      { action: 'claim.returned', actor: '王经理', created_at: '2024-03-07T02:00:00Z', comment: '日期不对' },
    ],
  });
  // then the note gives the latest reason and who gave it; a submitted claim has none
  expect(returnNote(claim, 'zh-CN')).toBe('王经理 退回了此报销单：日期不对');
  expect(returnNote({ ...claim, status: 'submitted' }, 'zh-CN')).toBe('');
});
