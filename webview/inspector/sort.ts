// Ordering the super-batch for the grid. Pure, so the order a user sees is pinned by a test.
import type { SnapshotRow } from '../../protocol/inspector';

export const SORT_KEYS = ['score', 'learnerLoss', 'referenceLoss', 'order', 'index'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type Filter = 'all' | 'selected' | 'rejected';

/** Indices into `rows` (the contact sheet's cell order), sorted; missing values sort last either way. */
export function sortedIndices(rows: readonly SnapshotRow[], key: SortKey, descending: boolean, filter: Filter = 'all'): number[] {
  const value = (r: SnapshotRow, i: number): number | null => {
    switch (key) {
      case 'score':
        return Number.isFinite(r.score) ? r.score : null;
      case 'learnerLoss':
        return r.learnerLoss;
      case 'referenceLoss':
        return r.referenceLoss;
      case 'order':
        return r.order >= 0 ? r.order : null;
      case 'index':
        return i;
    }
  };
  const idx = rows.map((_, i) => i).filter((i) => filter === 'all' || rows[i].selected === (filter === 'selected'));
  return idx.sort((a, b) => {
    const va = value(rows[a], a);
    const vb = value(rows[b], b);
    if (va === null && vb === null) return a - b;
    if (va === null) return 1;
    if (vb === null) return -1;
    return (descending ? vb - va : va - vb) || a - b;
  });
}
