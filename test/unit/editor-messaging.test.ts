// The webview request/reply channel (src/shared/messaging.ts): pairing, handler replies, and rejection of
// pending requests when the panel closes (the gap hexeditor's MessageHandler leaves open).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { ChannelClosedError, MessageHandler, RequestTimeoutError } from '../../src/shared/messaging';
import type { Envelope } from '../../src/shared/messaging';

type M = Envelope & { value?: number };

/** Two handlers wired back to back, as host and webview are. */
function pair(answer: (m: M) => M | undefined) {
  const queue: (() => void)[] = [];
  let b!: MessageHandler<M, M>;
  const flush = async () => {
    while (queue.length) {
      queue.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  };
  const a = new MessageHandler<M, M>(
    (m) => queue.push(() => void b.receive(m)),
    () => undefined,
  );
  b = new MessageHandler<M, M>((m) => queue.push(() => void a.receive(m)), answer);
  return { a, b, flush };
}

describe('MessageHandler', () => {
  it('pairs each reply with its request, whatever the order', async () => {
    const { a, flush } = pair((m) => ({ type: 'reply', value: (m.value ?? 0) * 10 }));
    const p1 = a.request<M>({ type: 'ask', value: 1 });
    const p2 = a.request<M>({ type: 'ask', value: 2 });
    await flush();
    assert.equal((await p1).value, 10);
    assert.equal((await p2).value, 20);
    assert.equal(a.pendingCount, 0);
  });

  it('does not reply to messages that are not requests', async () => {
    const posted: M[] = [];
    const h = new MessageHandler<M, M>(
      (m) => posted.push(m),
      () => ({ type: 'reply' }),
    );
    await h.receive({ type: 'note' });
    assert.equal(posted.length, 0);
    await h.receive({ type: 'ask', messageId: 7 });
    assert.deepEqual(posted, [{ type: 'reply', inReplyTo: 7 }]);
  });

  it('rejects pending requests when disposed (panel closed) and refuses new ones', async () => {
    const h = new MessageHandler<M, M>(
      () => undefined,
      () => undefined,
    );
    const p = h.request({ type: 'capture' });
    assert.equal(h.pendingCount, 1);
    h.dispose();
    await assert.rejects(p, ChannelClosedError);
    await assert.rejects(h.request({ type: 'capture' }), ChannelClosedError);
    assert.equal(h.pendingCount, 0);
    h.dispose(); // idempotent
  });

  it('times out a request nobody answers', async () => {
    const h = new MessageHandler<M, M>(
      () => undefined,
      () => undefined,
    );
    await assert.rejects(h.request({ type: 'inspect' }, 20), RequestTimeoutError);
    assert.equal(h.pendingCount, 0);
  });

  it('ignores replies to unknown requests', async () => {
    const h = new MessageHandler<M, M>(
      () => undefined,
      () => {
        throw new Error('a reply must not reach the handler');
      },
    );
    await h.receive({ type: 'reply', inReplyTo: 99 });
  });
});
