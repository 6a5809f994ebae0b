// onnxruntime profiling JSON (Chrome trace events) -> measured node times (src/measured/ortProfile.ts).
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { MeasuredProfileError, parseOrtProfile } from '../../src/measured/ortProfile';

const ev = (cat: string, name: string, dur: number, op?: string) => ({
  cat,
  name,
  dur,
  ph: 'X',
  ts: 0,
  pid: 1,
  tid: 1,
  args: op ? { op_name: op } : {},
});

describe('parseOrtProfile', () => {
  it('sums kernel times per node, skips fences, averages over model_run events', () => {
    const trace = [
      ev('Session', 'model_loading_uri', 5000),
      ev('Session', 'session_initialization', 900),
      ev('Session', 'model_run', 300),
      ev('Session', 'model_run', 310),
      ev('Node', '/l0/MatMul_fence_before', 0, 'MatMul'),
      ev('Node', '/l0/MatMul_kernel_time', 100, 'MatMul'),
      ev('Node', '/l0/MatMul_fence_after', 0, 'MatMul'),
      ev('Node', '/l0/MatMul_kernel_time', 140, 'MatMul'),
      ev('Node', 'relu_kernel_time', 20, 'Relu'),
      ev('Node', 'relu_kernel_time', 22, 'Relu'),
    ];
    const r = parseOrtProfile(JSON.stringify(trace));
    assert.equal(r.runs, 2);
    const byName = Object.fromEntries(r.nodes.map((n) => [n.name, n]));
    assert.deepEqual(Object.keys(byName).sort(), ['/l0/MatMul', 'relu']);
    assert.equal(byName['/l0/MatMul'].opType, 'MatMul');
    assert.ok(Math.abs(byName['/l0/MatMul'].seconds - 120e-6) < 1e-12);
    assert.ok(Math.abs(byName.relu.seconds - 21e-6) < 1e-12);
  });

  it('leaves the first (cold) run out when the timestamps tell the runs apart; firstRun include keeps it', () => {
    const at = (e: ReturnType<typeof ev>, ts: number) => ({ ...e, ts });
    const trace = [
      at(ev('Session', 'model_run', 900), 0),
      at(ev('Node', 'mm_kernel_time', 800, 'MatMul'), 10),
      at(ev('Session', 'model_run', 120), 1000),
      at(ev('Node', 'mm_kernel_time', 100, 'MatMul'), 1010),
      at(ev('Session', 'model_run', 130), 2000),
      at(ev('Node', 'mm_kernel_time', 110, 'MatMul'), 2010),
    ];
    const warm = parseOrtProfile(JSON.stringify(trace));
    assert.equal(warm.runs, 2);
    assert.equal(warm.coldRunExcluded, true);
    assert.ok(Math.abs(warm.nodes[0].seconds - 105e-6) < 1e-12, `${warm.nodes[0].seconds}`);
    const all = parseOrtProfile(JSON.stringify(trace), 'p.json', { firstRun: 'include' });
    assert.equal(all.runs, 3);
    assert.equal(all.coldRunExcluded, undefined);
    assert.ok(Math.abs(all.nodes[0].seconds - 1010e-6 / 3) < 1e-12, `${all.nodes[0].seconds}`);
  });

  it('accepts the {traceEvents: [...]} wrapper and counts one run when none is recorded', () => {
    const r = parseOrtProfile(JSON.stringify({ traceEvents: [ev('Node', 'a_kernel_time', 50, 'Add')] }));
    assert.equal(r.runs, 1);
    assert.equal(r.nodes[0].seconds, 50e-6);
  });

  it('refuses files that are not onnxruntime profiles with a clear message', () => {
    assert.throws(
      () => parseOrtProfile('{not json', 'p.json'),
      (e: Error) => e instanceof MeasuredProfileError && /p\.json: not JSON/.test(e.message),
    );
    assert.throws(() => parseOrtProfile('{"a":1}', 'p.json'), /expected an array of trace events/);
    assert.throws(
      () => parseOrtProfile(JSON.stringify([ev('Session', 'model_run', 1)]), 'p.json'),
      /no per-node kernel events/,
    );
  });
});
