// What the extension told the user (a command's failure, a refusal, a warning), kept briefly so
// the extension tests can see it: a command's handler catches its errors and shows them (one
// notification naming the command, never a second from VS Code), so executeCommand resolves even
// when the command failed. The suite reads and clears this with jestStudio._test.notices after each
// command it runs, and a recorded failure fails the test (test/extension/suite/helpers.ts).
export interface Notice {
  /** command-error: a handler threw; refused: trust or a stop that cannot be done; error, warning: shown by notify.ts. */
  kind: 'command-error' | 'refused' | 'error' | 'warning';
  message: string;
  command?: string;
}

const MAX = 100;
const notices: Notice[] = [];

export function recordNotice(n: Notice): void {
  notices.push(n);
  if (notices.length > MAX) notices.shift();
}

/** Everything recorded since the last call. */
export function takeNotices(): Notice[] {
  return notices.splice(0);
}
