// package.json's contributions against the code: every run option a user can set has a setting, every
// setting is read, every contributed command is registered, and the spec schema accepts every built-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { OPTION_TABLE } from '../../src/engine/options';
import { SETTING_KEYS, knobsFromSettings } from '../../src/editor/options';
import { TARGET_KINDS, loadSpec } from '../../src/engine/hardware';
import { hardwareSpecSchema } from '../../src/engine/hardware/schema';
import { projectRoot } from '../fixtures/paths';

const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot(), 'package.json'), 'utf8'));
const props: Record<string, { default?: unknown; properties?: Record<string, unknown> }> =
  pkg.contributes.configuration.properties;

/** options that only make sense on a command line (output shape), not as an editor setting */
const CLI_ONLY = new Set(['shapes', 'useDeclared']);

test('every run option has a setting (a default for every knob), and every setting is read', () => {
  for (const row of OPTION_TABLE) {
    const [top, sub] = row.path;
    if (CLI_ONLY.has(top)) continue;
    const setting = props[`onnxProfiler.${top}`];
    assert.ok(setting, `--${row.flag}: no onnxProfiler.${top} setting in package.json`);
    assert.ok('default' in setting, `onnxProfiler.${top} has a default`);
    if (sub) assert.ok(setting.properties?.[sub], `--${row.flag}: onnxProfiler.${top}.${sub} is not described`);
    assert.ok((SETTING_KEYS as readonly string[]).includes(top), `onnxProfiler.${top} is read by knobsFromSettings`);
  }
});

test("the settings' defaults are valid run options (null = the mapper decides)", () => {
  const defaults = Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k.replace('onnxProfiler.', ''), v.default]),
  );
  const o = knobsFromSettings({ get: <T>(k: string) => defaults[k] as T });
  assert.deepEqual(o.targets, ['wse3', 'h100-dgx']);
  assert.equal(o.systems, undefined);
  assert.equal(o.nodes, undefined);
  assert.deepEqual(o.gpu, {});
  const set = knobsFromSettings({ get: <T>(k: string) => ({ ...defaults, systems: 'auto', gpu: { tp: 4 } })[k] as T });
  assert.equal(set.systems, 'auto');
  assert.equal(set.gpu.tp, 4);
});

test('every contributed command is registered by the extension', () => {
  const src = ['src/editor/commands.ts', 'src/editor/specCommands.ts']
    .map((f) => fs.readFileSync(path.join(projectRoot(), f), 'utf8'))
    .join('\n');
  for (const c of pkg.contributes.commands as { command: string }[]) {
    const short = c.command.replace('onnxProfiler.', '');
    assert.ok(src.includes(`'${c.command}'`) || src.includes(`${short}:`), `${c.command} is registered`);
  }
});

test('the hardware spec schema covers every built-in key and requires what every built-in has', () => {
  const schema = hardwareSpecSchema(TARGET_KINDS) as {
    allOf: { then: { properties: Record<string, { exclusiveMinimum?: number }>; required: string[] } }[];
  };
  TARGET_KINDS.forEach((k, i) => {
    const then = schema.allOf[i]!.then;
    for (const b of k.builtins) {
      for (const key of Object.keys(b)) assert.ok(then.properties[key], `${k.kind}: ${key} in the schema`);
      for (const r of then.required) assert.ok(r in b, `${k.kind}: required ${r} present in ${String(b.id)}`);
    }
  });
  const wafer = schema.allOf[0]!.then.properties;
  assert.equal(wafer.clock_GHz?.exclusiveMinimum, 0, 'a clock must be positive');
  assert.ok(loadSpec('wse3'));
});

test('a spec template from every built-in loads as a custom target with its own id', async () => {
  const os = await import('os');
  const { specTemplate } = await import('../../src/editor/specTemplate');
  const { builtinTargetIds } = await import('../../src/engine/hardware');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spec-template-'));
  for (const id of builtinTargetIds()) {
    const file = path.join(dir, `${id}-custom.hwspec.json`);
    fs.writeFileSync(file, JSON.stringify(specTemplate(id, new Date('2026-12-03'))));
    const loaded = loadSpec(file);
    assert.equal(loaded.id, `${id}-custom`);
    assert.match(String((loaded.spec.notes as string[])[0]), new RegExp(`built-in target ${id} on 2026-12-03`));
  }
});
