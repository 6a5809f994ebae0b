// FLOPs of RNN/GRU/LSTM: gate projections and gate math per step, times the sequence length (docs/COSTS.md "## recurrent").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeCost, P } from '../fixtures/op-model';

test('LSTM: T * B * [2(I+H)4H + gate math]', () => {
  const c = nodeCost(
    'LSTM',
    [P('x', [5, 2, 10]), P('w', [1, 80, 10]), P('r', [1, 80, 20]), P('b', [1, 160])],
    ['y', 'yh', 'yc'],
    { hidden_size: 20 },
    14,
  );
  const H = 20;
  const gateMath = 4 * H + 8 * H + 3 * H * 4 + H * 5 + 3 * H + H * 5 + H; // combine, biases, sigmoid x3, tanh, cell, tanh, output
  assert.equal(c.flops, 5 * 2 * (2 * (10 + H) * 4 * H + gateMath));
});

test('GRU bidirectional, batch-first: both directions, no bias', () => {
  const c = nodeCost(
    'GRU',
    [P('x', [4, 7, 3]), P('w', [2, 15, 3]), P('r', [2, 15, 5])],
    ['y'],
    { layout: 1, direction: 'bidirectional', hidden_size: 5 },
    14,
  );
  const H = 5;
  const perDir = 2 * (3 + H) * 3 * H + (3 * H + 2 * H * 4 + H + H * 5 + 4 * H);
  assert.equal(c.flops, 7 * 4 * 2 * perDir);
});

test('RNN with a Relu activation; the cost scales with the sequence length', () => {
  const ins = (t: number) => [P('x', [t, 2, 3]), P('w', [1, 4, 3]), P('r', [1, 4, 4])];
  const one = nodeCost('RNN', ins(1), ['y'], { hidden_size: 4, activations: ['Relu'] }, 14).flops;
  assert.equal(one, 2 * (2 * (3 + 4) * 4 + 4 + 4 * 1));
  assert.equal(nodeCost('RNN', ins(6), ['y'], { hidden_size: 4, activations: ['Relu'] }, 14).flops, 6 * one);
});
