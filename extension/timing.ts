// Imported first by extension.ts, so this line runs before any other module of the extension is
// evaluated: activation time as a user feels it = loading the modules + activate().
export const loadStartedAt = performance.now();
