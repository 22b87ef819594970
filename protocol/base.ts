// The shape every webview message contract shares, after GitLens's src/webviews/protocol.ts but
// lighter (no compression, no queues until a need appears). One module per webview declares its
// messages as constants built from these classes; the host bundle and the webview bundle both
// import that module, so a renamed field breaks the build on both sides at once.
//
// Direction is part of the type: commands and requests go webview -> host, notifications go
// host -> webview. `.is(msg)` checks only the method name; what FROM the webview gets past it is
// still untrusted and goes through the module's hand-written validator before the host uses it.

export interface IpcMessage {
  /** `<scope>/<name>`, e.g. `dashboard/runs/set`. */
  method: string;
  /** Present on requests and on the completion notification that answers them. */
  id?: number;
  params: unknown;
}

/** What the host holds on the wire while a message is still untrusted. */
export function isIpcMessage(msg: unknown): msg is IpcMessage {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return false;
  const m = msg as { method?: unknown; id?: unknown };
  if (typeof m.method !== 'string' || m.method.length === 0 || m.method.length > 100) return false;
  if (m.id !== undefined && !(Number.isSafeInteger(m.id) && (m.id as number) >= 0)) return false;
  return 'params' in (msg as object);
}

abstract class IpcMessageType<Params> {
  readonly method: string;
  // phantom field: keeps Params in the type so `is` can narrow
  declare readonly _params?: Params;

  constructor(
    readonly scope: string,
    name: string,
  ) {
    this.method = `${scope}/${name}`;
  }

  /** Narrows by method name only; validate the params of anything that came from a webview. */
  is(msg: unknown): msg is { method: string; id?: number; params: Params } {
    return isIpcMessage(msg) && msg.method === this.method;
  }

  /** A message ready for postMessage. */
  create(params: Params, id?: number): IpcMessage & { params: Params } {
    return id === undefined ? { method: this.method, params } : { method: this.method, id, params };
  }
}

/** webview -> host, fire and forget: a user intent. */
export class IpcCommand<Params = void> extends IpcMessageType<Params> {}

/** host -> webview. Host events are named `Did…Notification`; the first one carries the full state. */
export class IpcNotification<Params> extends IpcMessageType<Params> {}

/**
 * webview -> host, answered by `completion`, a notification carrying the same id. Request/answer
 * over two one-way postMessage channels needs the id; the webview matches it with `pending`.
 */
export class IpcRequest<Params, Response> extends IpcMessageType<Params> {
  readonly completion: IpcNotification<Response>;
  constructor(scope: string, name: string) {
    super(scope, name);
    this.completion = new IpcNotification<Response>(scope, `${name}/completion`);
  }
}

/** The webview announces it has loaded and wants the full state (also after becoming visible again). */
export interface ReadyParams {
  /** The page's PROTOCOL_VERSION (each webview's protocol module): the host compares it with its own. */
  protocol: number;
}

/** The completion of a request that failed on the host. */
export interface ErrorResponse {
  error: string;
}

// ---------------------------------------------------------------- validation helpers
// Small, hand-written and strict: a webview is a browser page and anything it posts is treated as
// hostile (a compromised dependency, a crafted restore state). Each returns the value or throws a
// MessageError whose text says which field is wrong; the host logs it and drops the message.

export class MessageError extends Error {
  override name = 'MessageError';
}

export function expectObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MessageError(`${what}: expected an object`);
  return v as Record<string, unknown>;
}

/** Only the listed keys, so an unexpected field is noticed rather than carried along. */
export function expectKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new MessageError(`${what}: unexpected field ${JSON.stringify(k.slice(0, 40))}`);
}

export function expectString(v: unknown, what: string, maxLength: number): string {
  if (typeof v !== 'string') throw new MessageError(`${what}: expected a string`);
  if (v.length > maxLength) throw new MessageError(`${what}: longer than ${maxLength} characters`);
  return v;
}

export function expectInteger(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new MessageError(`${what}: expected an integer`);
  if (v < min || v > max) throw new MessageError(`${what}: ${v} is outside [${min}, ${max}]`);
  return v;
}

export function expectNumber(v: unknown, what: string, min = -Number.MAX_VALUE, max = Number.MAX_VALUE): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new MessageError(`${what}: expected a finite number`);
  if (v < min || v > max) throw new MessageError(`${what}: ${v} is outside [${min}, ${max}]`);
  return v;
}

export function expectBoolean(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw new MessageError(`${what}: expected true or false`);
  return v;
}

export function expectOneOf<T extends string>(v: unknown, what: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw new MessageError(`${what}: expected one of ${options.join(', ')}`);
  return v as T;
}

export function expectArray(v: unknown, what: string, maxLength: number): unknown[] {
  if (!Array.isArray(v)) throw new MessageError(`${what}: expected an array`);
  if (v.length > maxLength) throw new MessageError(`${what}: more than ${maxLength} items`);
  return v;
}

/**
 * A run folder the webview names must be one the host already knows (exact string match against
 * the host's own list), never a path the host would otherwise open: a webview cannot widen what
 * the host reads.
 */
export function expectKnownRunDir(v: unknown, what: string, known: ReadonlySet<string>): string {
  const dir = expectString(v, what, 4096);
  if (!known.has(dir)) throw new MessageError(`${what}: not a run folder this window knows`);
  return dir;
}

/** The largest training step a page may name (inspector step/select, dashboard step/open). */
export const MAX_STEP = 1e9;

/** Every webview's ready command has the same params. */
export function validateReady(params: unknown): ReadyParams {
  const o = expectObject(params, 'ready');
  expectKeys(o, ['protocol'], 'ready');
  return { protocol: expectInteger(o.protocol, 'ready.protocol', 0, 1000) };
}

/**
 * What the host does with a page's ready: `state` (same protocol version: send the full state) or
 * `reload` (another version: a page restored from before an update, or a stale bundle: it gets no
 * state it might misread, and is reloaded with the current bundle).
 */
export function readyAction(ready: ReadyParams, hostVersion: number): 'state' | 'reload' {
  return ready.protocol === hostVersion ? 'state' : 'reload';
}
