// The webview's side of the wire: the one acquireVsCodeApi() handle (VS Code allows a single
// call), typed posting, requests matched to their completion by id, and the saved UI state.
import type { IpcCommand, IpcMessage, IpcNotification, IpcRequest } from '../../protocol/base';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
let nextId = 1;
const pending = new Map<number, (params: unknown) => void>();
const handlers: ((msg: IpcMessage) => void)[] = [];

window.addEventListener('message', (e: MessageEvent) => {
  const msg = e.data as IpcMessage;
  if (typeof msg !== 'object' || msg === null || typeof msg.method !== 'string') return;
  if (msg.id !== undefined && msg.method.endsWith('/completion')) {
    const resolve = pending.get(msg.id);
    pending.delete(msg.id);
    resolve?.(msg.params);
    return;
  }
  for (const h of handlers) h(msg);
});

export function onNotification(handler: (msg: IpcMessage) => void): void {
  handlers.push(handler);
}

export function send<P>(command: IpcCommand<P>, params: P): void {
  api.postMessage(command.create(params));
}

export function request<P, R>(req: IpcRequest<P, R>, params: P): Promise<R> {
  const id = nextId++;
  return new Promise<R>((resolve) => {
    pending.set(id, resolve as (p: unknown) => void);
    api.postMessage(req.create(params, id));
  });
}

export function getState<T extends object>(fallback: T): T {
  const s = api.getState();
  return typeof s === 'object' && s !== null ? { ...fallback, ...(s as Partial<T>) } : fallback;
}

export function setState(state: object): void {
  api.setState(state);
}

export type { IpcNotification };
