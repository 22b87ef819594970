// Compare Runs' baseline is the run picked first. vscode-free, so it is unit-tested.

/**
 * The order in which items are ticked in a multi-select quick pick (VS Code reports the selection in
 * list order): items newly in the selection go to the end, items no longer in it leave.
 */
export function pickOrder<T>(order: readonly T[], selection: readonly T[]): T[] {
  const now = new Set(selection);
  const kept = order.filter((x) => now.has(x));
  return [...kept, ...selection.filter((x) => !kept.includes(x))];
}
