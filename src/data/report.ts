// The bad-input report: every skipped input, counted by reason and listed with where it is, so a
// user can fix their data rather than wonder why the count is short. Written as report.json next
// to the prepared cache and printed by the CLI.

import type { Problem, ProblemReason } from './types';

export interface ReportJson {
  source: string;
  usable: number;
  skipped: number;
  byReason: Partial<Record<ProblemReason, number>>;
  /** The first `listLimit` problems in full; counts above include all of them. */
  problems: Problem[];
  listed: number;
}

export class BadInputReport {
  private readonly problems: Problem[] = [];
  private readonly counts = new Map<ProblemReason, number>();
  usable = 0;

  constructor(
    readonly source: string,
    private readonly listLimit = 10_000,
  ) {}

  add(p: Problem): void {
    this.counts.set(p.reason, (this.counts.get(p.reason) ?? 0) + 1);
    if (this.problems.length < this.listLimit) this.problems.push(p);
  }

  get skipped(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  toJSON(): ReportJson {
    return {
      source: this.source,
      usable: this.usable,
      skipped: this.skipped,
      byReason: Object.fromEntries([...this.counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
      problems: this.problems,
      listed: this.problems.length,
    };
  }
}

/**
 * Human-readable summary: one line of counts plus the first few problems. `file`: where the whole
 * list was written (the prepared folder's report.json), named only when it exists.
 */
export function formatReport(r: ReportJson, show = 10, file?: string): string {
  const lines = [`${r.source}: ${r.usable} usable, ${r.skipped} skipped`];
  for (const [reason, n] of Object.entries(r.byReason)) lines.push(`  ${reason}: ${n}`);
  const shown = Math.min(show, r.problems.length);
  for (const p of r.problems.slice(0, shown)) lines.push(`  - [${p.reason}] ${p.where}: ${p.detail}`);
  const listedMore = r.problems.length - shown;
  // the report lists only the first problems (listLimit); the rest are in the counts above
  const countedOnly = r.skipped - r.problems.length;
  const more: string[] = [];
  if (listedMore > 0) more.push(file ? `${listedMore} more listed in ${file}` : `${listedMore} more not shown`);
  if (countedOnly > 0) more.push(`${countedOnly} more counted by reason above but not listed`);
  if (more.length) lines.push(`  ... ${more.join('; ')}`);
  return lines.join('\n');
}
