// What the three panels share: their life (created or revived by key, revealed, disposed), the
// page they serve, and the ready handshake with its protocol-version check. Each panel adds only
// its own messages (onMessage) and what it sends once the page is ready (onReady).
import * as vscode from 'vscode';
import { isIpcMessage, readyAction, validateReady, type IpcCommand, type IpcMessage, type ReadyParams } from '../../protocol/base';
import { logRefused, pageHtml, panelLog } from './common';

/** The open panels of one kind, by key (one dashboard per window, one inspector per run, one form per document). */
export class PanelRegistry<P extends PanelBase> {
  private readonly panels = new Map<string, P>();

  get(key: string): P | undefined {
    return this.panels.get(key);
  }

  /** The panel for `key`, revealed (`show`), or a new one. */
  showOrCreate(key: string, show: (p: P) => void, create: () => P): P {
    const existing = this.panels.get(key);
    if (existing) {
      show(existing);
      return existing;
    }
    const p = create();
    this.panels.set(key, p);
    return p;
  }

  /** A panel VS Code kept across a reload: it replaces whatever this window has under `key`. */
  revive(key: string, create: () => P): P {
    this.panels.get(key)?.dispose();
    const p = create();
    this.panels.set(key, p);
    return p;
  }

  /** A disposed panel leaves (unless another already took its key). */
  forget(key: string, p: PanelBase): void {
    if (this.panels.get(key) === p) this.panels.delete(key);
  }
}

export interface PanelSpec {
  /** media/dist/<bundle>.js + .css */
  bundle: string;
  /** The protocol module's PROTOCOL_VERSION and ready command. */
  protocol: number;
  ready: IpcCommand<ReadyParams>;
  /** For the refused-message log. */
  logName: string;
  registry: PanelRegistry<PanelBase>;
  key: string;
}

export abstract class PanelBase implements vscode.Disposable {
  protected readonly disposables: vscode.Disposable[] = [];
  /** The page said ready with the host's protocol version, and has not been torn down since. */
  protected ready = false;
  protected disposed = false;
  private reloads = 0;

  protected constructor(
    protected readonly panel: vscode.WebviewPanel,
    protected readonly ctx: vscode.ExtensionContext,
    private readonly spec: PanelSpec,
  ) {
    this.render();
    panel.onDidDispose(() => this.dispose(), null, this.disposables);
    // hidden: the page is torn down (no retainContextWhenHidden); it says ready again when rebuilt
    panel.onDidChangeViewState(() => (this.ready = this.ready && panel.visible), null, this.disposables);
    panel.webview.onDidReceiveMessage((m) => this.receive(m), null, this.disposables);
  }

  reveal(column?: vscode.ViewColumn): void {
    this.panel.reveal(column);
  }

  /** The page (with a fresh nonce, so setting it always loads the page anew). */
  private render(): void {
    this.panel.webview.html = pageHtml(this.ctx, this.panel.webview, this.spec.bundle, this.panel.title);
  }

  private receive(msg: unknown): void {
    try {
      if (!isIpcMessage(msg)) throw new Error('not a protocol message');
      if (this.spec.ready.is(msg)) {
        const r = validateReady(msg.params);
        if (readyAction(r, this.spec.protocol) === 'reload') return this.reload(r.protocol);
        this.ready = true;
        this.reloads = 0;
        this.onReady();
      } else {
        this.onMessage(msg);
      }
    } catch (err) {
      logRefused(this.spec.logName, msg, err);
    }
  }

  /**
   * The page speaks another protocol version (restored from before an update, or an old bundle):
   * it gets no state it could misread. Re-setting webview.html rather than posting it a "reload"
   * message: a page of another version is not sure to understand any message (an old bundle has
   * no handler for one added later), whereas setting the HTML is the host's own act, so VS Code
   * drops the page and loads the current bundle from media/dist, which says ready again with
   * the current version. Once in a row only: if the bundle on disk is itself out of step with
   * the host (a half-done build), reloading again would loop, so a second mismatch is only logged.
   */
  private reload(pageVersion: number): void {
    this.ready = false;
    if (this.reloads++ > 0) {
      panelLog().error(`${this.spec.logName}: the page still speaks protocol ${pageVersion}, the host ${this.spec.protocol}: rebuild the webviews (npm run build)`);
      return;
    }
    panelLog().info(`${this.spec.logName}: the page speaks protocol ${pageVersion}, the host ${this.spec.protocol}: reloading it with the current bundle`);
    this.render();
  }

  /** The page is ready for its full state. */
  protected abstract onReady(): void;
  /** Any other message; throw (MessageError) to refuse it. */
  protected abstract onMessage(msg: IpcMessage): void;
  /** Panel-specific clean-up, before the panel and the listeners go. */
  protected onDispose(): void {}

  protected post(msg: unknown): void {
    void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.spec.registry.forget(this.spec.key, this);
    this.onDispose();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}
