// Score matrices from the learner's and the reference's per-pair losses (paper, "Scores"):
//   hard learner      S = L          data the learner finds hard
//   easy reference    S = −R         data the curated reference finds easy
//   learnability      S = L − R      hard for the learner AND easy for the reference (default)
// L and R are SUMMED per-pair sigmoid losses (never averaged): selection samples softmax(score),
// so any rescaling would silently change the sampling temperature.

export type ScoreName = 'learnability' | 'hard-learner' | 'easy-reference';
export const SCORE_NAMES: readonly ScoreName[] = ['learnability', 'hard-learner', 'easy-reference'];

/** Which loss matrices a score needs (easy-reference needs no learner scoring pass at all). */
export const SCORE_NEEDS: Record<ScoreName, { learner: boolean; reference: boolean }> = {
  learnability: { learner: true, reference: true },
  'hard-learner': { learner: true, reference: false },
  'easy-reference': { learner: false, reference: true },
};

/** Does this selection score with a reference model (and so need one before any work)? */
export function usesReference(e: { selection: { method: string; score: ScoreName } }): boolean {
  return e.selection.method !== 'uniform' && SCORE_NEEDS[e.selection.score]?.reference === true;
}

/** The n×n score matrix (row-major) for `name`. Missing inputs the score needs are an error. */
export function scoreMatrix(name: ScoreName, n: number, learner: Float32Array | null, reference: Float32Array | null): Float32Array {
  const need = SCORE_NEEDS[name];
  if (!need) throw new Error(`unknown score "${name}": use one of ${SCORE_NAMES.join(', ')}`);
  if (need.learner && learner?.length !== n * n) throw new Error(`score ${name} needs the learner's ${n}x${n} loss matrix`);
  if (need.reference && reference?.length !== n * n) throw new Error(`score ${name} needs the reference's ${n}x${n} loss matrix`);
  const s = new Float32Array(n * n);
  if (name === 'hard-learner') s.set(learner!);
  else if (name === 'easy-reference') for (let i = 0; i < s.length; i++) s[i] = -reference![i];
  else for (let i = 0; i < s.length; i++) s[i] = learner![i] - reference![i];
  return s;
}
