// What differs between runs' resolved experiments (config.json): the fields, as dotted paths, whose
// value is not the baseline's in at least one run. Compare Runs shows it beside the steps and FLOPs
// each run needed, so "why is this one faster" has its answer in the same table.
export interface ConfigDifference {
  /** e.g. "selection.filterRatio", "data.eval[0].max". */
  path: string;
  /** The value in each run, in the runs' order (the baseline first); undefined where a run lacks the field. */
  values: unknown[];
}

/** Leaves of a JSON value as path -> value; arrays of plain values stay one leaf ("[4,8]" reads better than two rows). */
function leaves(v: unknown, prefix: string, out: Map<string, unknown>): void {
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) out.set(prefix, v);
    else v.forEach((x, i) => leaves(x, `${prefix}[${i}]`, out));
  } else if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v as object);
    if (keys.length === 0) out.set(prefix, v);
    for (const k of keys) leaves((v as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, v);
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Fields that differ from the first config in any of the others, in the baseline's field order (then new fields). `ignore`: paths never shown (e.g. "name"). */
export function configDiff(configs: unknown[], ignore: readonly string[] = ['name']): ConfigDifference[] {
  const flat = configs.map((c) => {
    const m = new Map<string, unknown>();
    leaves(c, '', m);
    return m;
  });
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const m of flat) for (const p of m.keys()) if (!seen.has(p)) (seen.add(p), paths.push(p));
  return paths
    .filter((p) => !ignore.includes(p))
    .map((p) => ({ path: p, values: flat.map((m) => m.get(p)) }))
    .filter((d) => d.values.some((v) => !same(v, d.values[0])));
}
