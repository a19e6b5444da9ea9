/**
 * @jest-environment jsdom
 */
import { loadComponent, render, textOf } from '../helpers/simulate';

let id: string;
beforeAll(() => {
  id = loadComponent('components/timeline/index');
});

test('renders one entry per step with the latest highlighted', () => {
  const comp = render(id, {
    entries: [
      { key: 'e0', title: '创建报销单', meta: 'zs · 2024-03-05 10:00', comment: '', tone: 'neutral', latest: false },
      { key: 'e1', title: '退回修改', meta: '李经理 · 2024-03-07 10:00', comment: '缺少行程单', tone: 'warn', latest: true },
    ],
    emptyText: '暂无记录',
  });
  const entries = comp.querySelectorAll('.entry');
  expect(entries).toHaveLength(2);
  expect(textOf(comp.querySelector('.entry-latest .entry-title'))).toBe('退回修改');
  expect(textOf(comp.querySelector('.entry-comment'))).toBe('“缺少行程单”');
  expect(comp.querySelector('.timeline-empty')).toBeUndefined();
});

test('says so when there is nothing yet', () => {
  const comp = render(id, { entries: [], emptyText: '暂无记录' });
  expect(textOf(comp.querySelector('.timeline-empty'))).toBe('暂无记录');
});
