// Request/reply pairing over a one-way postMessage channel, used on both sides of the webview.
// A request carries a fresh messageId; the reply carries inReplyTo. Unlike hexeditor's MessageHandler,
// dispose() rejects every pending request, so an await on a closed panel fails fast instead of hanging.

/** What the channel needs of a message: a type, and the pairing ids (protocol.ts's Envelope satisfies it). */
export interface Envelope {
  type: string;
  messageId?: number;
  inReplyTo?: number;
}

export class ChannelClosedError extends Error {
  constructor(what: string) {
    super(`${what}: the panel was closed before it replied`);
    this.name = 'ChannelClosedError';
  }
}

export class RequestTimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no reply within ${ms} ms`);
    this.name = 'RequestTimeoutError';
  }
}

interface Pending {
  resolve(m: Envelope): void;
  reject(e: Error): void;
  timer?: ReturnType<typeof setTimeout>;
  what: string;
}

/**
 * TSend: messages this side posts; TRecv: messages it receives.
 * `handle` answers requests: when it returns a message and the incoming one had a messageId, the
 * returned message is posted as the reply.
 */
export class MessageHandler<TSend extends Envelope, TRecv extends Envelope> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    private readonly post: (m: TSend) => void,
    private readonly handle: (m: TRecv) => Promise<TSend | undefined> | TSend | undefined,
  ) {}

  /** Posts a message that expects no reply. Ignored after dispose. */
  send(m: TSend): void {
    if (!this.closed) this.post(m);
  }

  /** Posts a request and resolves with the reply (a message whose inReplyTo is this request's id). */
  request<R extends TRecv>(m: TSend, timeoutMs = 0): Promise<R> {
    if (this.closed) return Promise.reject(new ChannelClosedError(m.type));
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const p: Pending = { resolve: resolve as (m: Envelope) => void, reject, what: m.type };
      if (timeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new RequestTimeoutError(m.type, timeoutMs));
        }, timeoutMs);
      }
      this.pending.set(id, p);
      this.post({ ...m, messageId: id });
    });
  }

  /** Feed every received message here. Replies settle their request; others go to `handle`. */
  async receive(m: TRecv): Promise<void> {
    if (this.closed) return;
    if (m.inReplyTo !== undefined) {
      const p = this.pending.get(m.inReplyTo);
      if (p) {
        this.pending.delete(m.inReplyTo);
        if (p.timer) clearTimeout(p.timer);
        p.resolve(m);
      }
      return;
    }
    const reply = await this.handle(m);
    if (reply && m.messageId !== undefined && !this.closed) this.post({ ...reply, inReplyTo: m.messageId });
  }

  /** Requests still waiting for a reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Rejects every pending request and refuses new ones. Idempotent. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(new ChannelClosedError(p.what));
    }
    this.pending.clear();
  }
}
