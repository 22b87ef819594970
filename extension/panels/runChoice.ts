// Which runs a dashboard follows when nobody picked them. vscode-free (unit-tested).
//
// Opened on one experiment (its CodeLens), the dashboard shows that experiment's runs and only
// them: an experiment with no runs yet shows none (and says so), never the newest runs of other
// experiments, and each run of it that starts later joins.

/** The part of a RunSummary this needs; `list` is the store's order (live first, then newest). */
export interface ListedRun {
  dir: string;
  name: string;
}

/** The newest `limit` runs, or with `experiment`, the newest `limit` runs of that experiment (possibly none). */
export function followedRuns(list: readonly ListedRun[], experiment: string | null, limit: number): string[] {
  return list
    .filter((r) => experiment === null || r.name === experiment)
    .slice(0, limit)
    .map((r) => r.dir);
}
