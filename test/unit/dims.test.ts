import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bindDim,
  broadcastShapes,
  dimAdd,
  dimCeilDiv,
  dimFloorDiv,
  dimMul,
  dimProduct,
  dimSub,
  dimSymbols,
  evalDim,
} from '../../src/engine/shapes/dims';

test('symbolic sums and products print canonically', () => {
  assert.equal(dimAdd('seq', 1), 'seq+1');
  assert.equal(dimAdd(1, 'seq'), 'seq+1');
  assert.equal(dimMul(2, 'seq'), '2*seq');
  assert.equal(dimMul('seq', 'batch'), 'batch*seq');
  assert.equal(dimSub(dimAdd('past', 'seq'), 'seq'), 'past');
  assert.equal(dimAdd('seq', 'seq'), '2*seq');
  assert.equal(dimMul(dimAdd('seq', 1), 2), '2*seq+2');
  assert.equal(dimProduct(['batch', 12, 'seq']), '12*batch*seq');
});

test('numbers fold and unknowns stay unknown', () => {
  assert.equal(dimAdd(3, 4), 7);
  assert.equal(dimMul(null, 3), null);
  assert.equal(dimMul(null, 0), 0);
  assert.equal(dimAdd('seq', null), null);
});

test('exact division keeps symbols, inexact division is named', () => {
  assert.equal(dimFloorDiv('2*seq', 2), 'seq');
  assert.equal(dimFloorDiv('12*batch*seq', 'batch'), '12*seq');
  assert.equal(dimFloorDiv(7, 2), 3);
  assert.equal(dimCeilDiv(7, 2), 4);
  assert.equal(dimFloorDiv('seq', 2), 'floor(seq/2)');
  assert.equal(evalDim('floor(seq/2)', { seq: 9 }), 4);
  assert.equal(evalDim(dimCeilDiv('seq', 2), { seq: 9 }), 5);
});

test('evaluation and binding', () => {
  assert.equal(evalDim('2*seq+2', { seq: 10 }), 22);
  assert.equal(evalDim('batch*seq', { batch: 3 }), undefined);
  assert.equal(bindDim('past+1', { past: 1024 }), 1025);
  assert.equal(bindDim('past+1', {}), 'past+1');
  assert.deepEqual(dimSymbols('2*batch*seq+past'), ['batch', 'seq', 'past']);
});

test('numpy broadcasting with symbols', () => {
  assert.deepEqual(
    broadcastShapes([
      ['batch', 1, 'seq'],
      [12, 1],
    ]),
    ['batch', 12, 'seq'],
  );
  assert.deepEqual(broadcastShapes([[3, 4], [4]]), [3, 4]);
  assert.equal(broadcastShapes([[3, 4], [5]]), undefined);
  assert.deepEqual(broadcastShapes([[1], ['n']]), ['n']);
});
