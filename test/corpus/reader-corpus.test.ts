// Every model of ../shared/corpus reads, and its counts match manifest.jsonl exactly: IR version, opsets,
// node counts and op histograms (main graph and with subgraphs), initializer counts, parameters by dtype,
// parameterCount (= parameter_count + parameter_count_in_subgraphs + constant_node_elements, ARCHITECTURE.md),
// external initializers, graph inputs/outputs; and a missing external data file is a warning, not an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { readModelFile } from '../../src/engine/onnx/reader';
import { modelStats } from '../../src/engine/onnx/stats';
import { dtypeName } from '../../src/engine/onnx/dtypes';
import { forEachGraph, type Model } from '../../src/engine/onnx/ir';
import { readManifest, sharedDir, SKIP_NO_SHARED, type ManifestRow } from '../fixtures/paths';

const shared = sharedDir();

function histogram(m: Model, withSubgraphs: boolean): Record<string, number> {
  const h: Record<string, number> = {};
  const add = (g: Model['graph']) => {
    for (const n of g.nodes) {
      const k = n.domain ? `${n.domain}::${n.opType}` : n.opType; // the manifest's key format
      h[k] = (h[k] ?? 0) + 1;
    }
  };
  if (withSubgraphs) forEachGraph(m.graph, add);
  else add(m.graph);
  return h;
}

/** Differences between what the reader gives and the manifest, as readable lines. */
function compare(row: ManifestRow, m: Model): string[] {
  const bad: string[] = [];
  const eq = (what: string, got: unknown, want: unknown) => {
    try {
      assert.deepStrictEqual(got, want);
    } catch {
      bad.push(`${what}: got ${JSON.stringify(got)}, manifest ${JSON.stringify(want)}`);
    }
  };
  const s = modelStats(m);
  eq('ir_version', m.irVersion, row.ir_version);
  eq(
    'opset_import',
    Object.fromEntries(Object.entries(m.opsets).map(([d, v]) => [d || 'ai.onnx', v])),
    row.opset_import,
  );
  eq('node_count', s.nodeCount, row.node_count);
  eq('op_histogram', histogram(m, false), row.op_histogram);
  if (row.node_count_with_subgraphs != null)
    eq('node_count_with_subgraphs', s.nodeCountWithSubgraphs, row.node_count_with_subgraphs);
  if (row.op_histogram_with_subgraphs != null)
    eq('op_histogram_with_subgraphs', histogram(m, true), row.op_histogram_with_subgraphs);
  if (row.subgraph_count != null) {
    let k = -1;
    forEachGraph(m.graph, () => k++);
    eq('subgraph_count', k, row.subgraph_count);
  }
  eq('initializer_count', m.graph.initializers.length + m.graph.sparseInitializers.length, row.initializer_count);
  const byDtype: Record<string, number> = {};
  for (const t of m.graph.initializers) byDtype[dtypeName(t.dtype)] = (byDtype[dtypeName(t.dtype)] ?? 0) + t.elements;
  for (const t of m.graph.sparseInitializers)
    byDtype[dtypeName(t.values.dtype)] = (byDtype[dtypeName(t.values.dtype)] ?? 0) + t.values.elements;
  eq('parameter_count_by_dtype', byDtype, row.parameter_count_by_dtype);
  eq(
    'parameterCount',
    s.parameterCount,
    row.parameter_count + (row.parameter_count_in_subgraphs ?? 0) + row.constant_node_elements,
  );
  eq(
    'external_initializers',
    m.graph.initializers.filter((t) => t.data.kind === 'external').length,
    row.external_initializers,
  );
  const inits = new Set(m.graph.initializers.map((t) => t.name));
  eq(
    'inputs',
    m.graph.inputs.map((v) => v.name).filter((n) => !inits.has(n)),
    row.inputs.map((v) => v.name),
  );
  eq(
    'outputs',
    m.graph.outputs.map((v) => v.name),
    row.outputs.map((v) => v.name),
  );
  // a missing external data file is a warning and only then
  const dataMissing = m.graph.initializers.some((t) => t.data.kind === 'external' && t.data.missing);
  const present = row.external_data_present;
  const manifestMissing =
    present != null && typeof present === 'object' && Object.values(present).some((v) => v === false);
  eq('external data missing', dataMissing, manifestMissing);
  if (dataMissing)
    eq(
      'missing-data warning',
      m.diagnostics.some((d) => d.severity === 'warning' && /missing/.test(d.message)),
      true,
    );
  eq(
    'error diagnostics',
    m.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message),
    [],
  );
  return bad;
}

test('reader: the shared corpus (../shared/corpus)', { skip: shared ? false : SKIP_NO_SHARED }, async (t) => {
  const rows = readManifest(shared!);
  assert.ok(rows.length >= 1596, `manifest has ${rows.length} rows`);
  const byCollection = new Map<string, ManifestRow[]>();
  for (const r of rows) byCollection.set(r.collection, [...(byCollection.get(r.collection) ?? []), r]);
  let read = 0;
  for (const [collection, list] of byCollection) {
    await t.test(`${collection}: ${list.length} models read with exact counts`, () => {
      const failures: string[] = [];
      for (const row of list) {
        const file = path.join(shared!, 'corpus', row.path);
        assert.equal(fs.statSync(file).size, row.file_size, `${row.path}: file size`);
        let m: Model;
        try {
          m = readModelFile(file);
        } catch (e) {
          failures.push(`${row.path}: ${(e as Error).message}`);
          continue;
        }
        read++;
        for (const b of compare(row, m)) failures.push(`${row.path}: ${b}`);
      }
      assert.deepEqual(failures.slice(0, 30), [], `${failures.length} differences`);
    });
  }
  assert.equal(read, rows.length);
});
