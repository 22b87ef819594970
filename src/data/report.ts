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

/** Human-readable summary: one line of counts plus the first few problems. */
export function formatReport(r: ReportJson, show = 10): string {
  const lines = [`${r.source}: ${r.usable} usable, ${r.skipped} skipped`];
  for (const [reason, n] of Object.entries(r.byReason)) lines.push(`  ${reason}: ${n}`);
  for (const p of r.problems.slice(0, show)) lines.push(`  - [${p.reason}] ${p.where}: ${p.detail}`);
  if (r.skipped > show) lines.push(`  ... ${r.skipped - Math.min(show, r.problems.length)} more in report.json`);
  return lines.join('\n');
}
