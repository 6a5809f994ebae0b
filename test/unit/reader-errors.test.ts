// Bad input gives exactly one typed OnnxReadError that names the file, the problem and where
// (byte offset or graph path): empty, truncated, random, other formats renamed .onnx, absurd lengths,
// nesting past the limits, wrong wire and attribute types. Structural problems are diagnostics instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MAX_GRAPH_DEPTH, readModelBytes, readModelFile } from '../../src/engine/onnx/reader';
import { OnnxReadError } from '../../src/engine/onnx/errors';
import {
  T,
  attr,
  concat,
  graph,
  lenField,
  model,
  node,
  onnx,
  prng,
  seqType,
  tag,
  tensorType,
  tinyModel,
  utf8,
  varint,
  varintField,
  vi,
  viOf,
} from '../fixtures/onnx-writer';

/** Asserts `fn` throws one OnnxReadError for `file` whose problem matches and whose `where` is given. */
function readError(fn: () => unknown, file: string, problem: RegExp, where: RegExp | null = /^byte \d+$/): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof OnnxReadError, `expected OnnxReadError, got ${e instanceof Error ? e.stack : String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.problem, problem);
    if (where) assert.match(e.where ?? '', where);
    assert.ok(e.message.startsWith(`${file}: `), e.message);
    return true;
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-err-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

function writeTmp(name: string, bytes: Uint8Array): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, bytes);
  return f;
}

test('an empty file', () => {
  const f = writeTmp('empty.onnx', new Uint8Array(0));
  readError(() => readModelFile(f), f, /the file is empty/, /^byte 0$/);
  readError(() => readModelBytes(new Uint8Array(0), 'mem.onnx'), 'mem.onnx', /the file is empty/);
});

test('files that cannot be opened: absent, a directory, a device', () => {
  const absent = path.join(tmp, 'absent.onnx');
  readError(() => readModelFile(absent), absent, /cannot open: ENOENT/, null);
  readError(() => readModelFile(tmp), tmp, /is a directory/, null);
  if (fs.existsSync('/dev/null')) readError(() => readModelFile('/dev/null'), '/dev/null', /not a regular file/, null);
});

test('a file truncated anywhere inside its graph is an error at a byte offset; never another exception', () => {
  const full = model({
    graph: graph({
      name: 'g',
      nodes: [node('Conv', ['x', 'w'], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, { name: 'conv' })],
      inputs: [vi('x', T.FLOAT, [1, 3, 8, 8])],
      outputs: [vi('y', T.FLOAT, [1, 4, 8, 8])],
      initializers: [{ name: 'w', dataType: T.FLOAT, dims: [4, 3, 3, 3], rawData: new Uint8Array(432) }],
    }),
  });
  readModelBytes(full); // the untruncated model reads
  let errors = 0;
  for (let cut = 1; cut < full.length; cut++) {
    try {
      readModelBytes(full.subarray(0, cut), 'cut.onnx');
    } catch (e) {
      assert.ok(e instanceof OnnxReadError, `cut at ${cut}: ${String(e)}`);
      assert.match(e.where ?? '', /^byte \d+$/);
      const at = Number(e.where!.slice(5));
      assert.ok(at >= 0 && at <= cut, `cut at ${cut}: error at ${at}`);
      errors++;
    }
  }
  // the graph is the last field written: every cut inside it fails
  assert.ok(errors >= full.length - 40, `${errors} of ${full.length - 1} cuts failed`);
  const f = writeTmp('truncated.onnx', full.subarray(0, full.length >> 1));
  readError(() => readModelFile(f), f, /runs past the end of its message|truncated/);
});

test('random bytes are refused, never read as a model', () => {
  const rnd = prng(1234);
  for (let k = 0; k < 300; k++) {
    const n = 1 + Math.floor(rnd() * 400);
    const bytes = new Uint8Array(n).map(() => Math.floor(rnd() * 256));
    readError(() => readModelBytes(bytes, 'random.onnx'), 'random.onnx', /not a valid ONNX protobuf|not an ONNX model/);
  }
});

test('other formats renamed .onnx say what they are', () => {
  const png = concat([Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), new Uint8Array(64)]);
  const zip = concat([utf8('PK\x03\x04'), new Uint8Array(64)]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['image.onnx', png, /PNG image/],
    ['model.pt.onnx', zip, /zip archive/],
    ['config.onnx', utf8('{"ir_version": 8, "graph": {}}'), /JSON text/],
    ['list.onnx', utf8('  [1, 2, 3]\n'), /JSON text/],
    ['gz.onnx', Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0]), /gzip/],
    ['pickle.onnx', Uint8Array.from([0x80, 0x04, 0x95, 0, 0]), /pickle/],
    ['lfs.onnx', utf8('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n'), /Git LFS pointer/],
    ['text.onnx', utf8('ir_version: 8\ngraph {\n}\n'), /ONNX text format/],
    ['net.onnx', utf8('<?xml version="1.0"?><net/>'), /XML/],
  ];
  for (const [name, bytes, re] of cases) {
    const f = writeTmp(name, bytes);
    readError(() => readModelFile(f), f, re, /^byte 0$/);
    assert.match(
      String(
        (() => {
          try {
            readModelFile(f);
          } catch (e) {
            return (e as Error).message;
          }
        })(),
      ),
      /not an ONNX model/,
    );
  }
  // a protobuf of another schema (no ir_version, no graph) is recognised as not ONNX
  readError(
    () => readModelBytes(concat([lenField(3, utf8('v1')), lenField(9, utf8('hello'))]), 'other.pb'),
    'other.pb',
    /not an ONNX model: no ir_version and no graph/,
  );
  readError(
    () => readModelBytes(concat([varintField(3, 7), lenField(9, utf8('hello'))]), 'other2.pb'),
    'other2.pb',
    /not an ONNX model: no ir_version or graph before a malformed field/,
  );
  // a ModelProto without a graph
  readError(() => readModelBytes(varintField(1, 8), 'nograph.onnx'), 'nograph.onnx', /has no graph/);
});

test('absurd length fields and malformed varints are refused at their byte offset', () => {
  const head = varintField(1, 8);
  // graph claims 2^40 bytes
  readError(
    () => readModelBytes(concat([head, tag(7, 2), varint(2 ** 40), new Uint8Array(20)]), 'len.onnx'),
    'len.onnx',
    /length field 1099511627776 runs past the end/,
    new RegExp(`^byte ${head.length + 1}$`),
  );
  // a length of 2^64-1 reads as negative
  readError(
    () => readModelBytes(concat([head, tag(7, 2), varint(-1n), new Uint8Array(4)]), 'neg.onnx'),
    'neg.onnx',
    /length field -1 runs past the end/,
  );
  // an 11-byte varint
  readError(
    () => readModelBytes(concat([head, tag(1, 0), new Uint8Array(11).fill(0xff), Uint8Array.from([1])]), 'vi.onnx'),
    'vi.onnx',
    /malformed varint/,
  );
  // a string inside a node claims more bytes than the node has
  const nodeBytes = concat([lenField(4, utf8('Relu')), tag(1, 2), varint(1000), utf8('x')]);
  readError(
    () => readModelBytes(concat([head, lenField(7, lenField(1, nodeBytes))]), 'node.onnx'),
    'node.onnx',
    /runs past the end of its message.*main node #0/,
  );
  // field number 0 and wire types 3/4/6/7
  readError(
    () => readModelBytes(concat([head, Uint8Array.from([0x00, 0x01])]), 'f0.onnx'),
    'f0.onnx',
    /invalid field number 0/,
  );
  for (const w of [3, 4, 6, 7])
    readError(
      () => readModelBytes(concat([head, tag(9, w)]), 'w.onnx'),
      'w.onnx',
      new RegExp(`invalid wire type ${w}`),
    );
});

test('subgraphs nested deeper than the limit are refused; at the limit they read', () => {
  const nest = (levels: number): onnx.IGraphProto => {
    let g = graph({ name: 'leaf', nodes: [node('Identity', ['x'], ['y'])], outputs: [vi('y', T.FLOAT, [1])] });
    for (let k = 0; k < levels; k++) {
      g = graph({
        name: `l${k}`,
        nodes: [
          node(
            'If',
            ['c'],
            ['y'],
            { then_branch: g, else_branch: graph({ nodes: [], outputs: [vi('x', T.FLOAT, [1])] }) },
            { name: `if${k}` },
          ),
        ],
        outputs: [vi('y', T.FLOAT, [1])],
      });
    }
    return g;
  };
  const ok = readModelBytes(model({ graph: nest(MAX_GRAPH_DEPTH) }));
  assert.equal(ok.graph.nodes[0].opType, 'If');
  readError(
    () => readModelBytes(model({ graph: nest(MAX_GRAPH_DEPTH + 1) }), 'deep.onnx'),
    'deep.onnx',
    /nested deeper than 32 levels at main\/if\d+\.then_branch/,
  );
  // thousands of levels, written as raw wire bytes (protobufjs itself cannot encode that deep):
  // still the typed error (the limit stops recursion long before the stack would)
  let g: Uint8Array = lenField(1, lenField(4, utf8('Identity')));
  for (let k = 0; k < 3000; k++) {
    const a = concat([lenField(1, utf8('then_branch')), varintField(20, 5), lenField(6, g)]);
    g = lenField(1, concat([lenField(4, utf8('If')), lenField(5, a)]));
  }
  readError(
    () => readModelBytes(concat([varintField(1, 8), lenField(7, g)]), 'deeper.onnx'),
    'deeper.onnx',
    /nested deeper than 32 levels/,
  );
});

test('types nested deeper than the limit are refused', () => {
  let t: onnx.ITypeProto = tensorType(T.FLOAT, [1]);
  for (let k = 0; k < 40; k++) t = seqType(t);
  readError(
    () => readModelBytes(model({ graph: graph({ nodes: [], inputs: [viOf('s', t)] }) }), 'type.onnx'),
    'type.onnx',
    /type nested deeper than 32/,
  );
});

test('wrong attribute types and wire types are refused with the node and attribute named', () => {
  const withAttr =
    (a: onnx.IAttributeProto, name = 'bad.onnx') =>
    () =>
      readModelBytes(
        model({
          graph: graph({
            nodes: [{ ...node('Relu', ['x'], ['y'], {}, { name: 'r0' }), attribute: [a] }],
            inputs: [vi('x', T.FLOAT, [1])],
          }),
        }),
        name,
      );
  const AT = onnx.AttributeProto.AttributeType;
  readError(
    withAttr({ name: 'g', type: AT.GRAPH, i: 3 }),
    'bad.onnx',
    /attribute 'g' declares type GRAPH but has no such value.*main node #0/,
  );
  readError(withAttr({ name: 't', type: AT.TENSOR }), 'bad.onnx', /attribute 't' declares type TENSOR/);
  readError(withAttr({ name: 's', type: AT.SPARSE_TENSOR }), 'bad.onnx', /declares type SPARSE_TENSOR/);
  readError(withAttr({ name: 'u', type: 99 as never }), 'bad.onnx', /attribute 'u' has unknown type 99/);
  // an attribute `f` (fixed32 on the wire) written as a varint, `i` written as bytes
  const attrRaw = (bytes: Uint8Array) => concat([tag(1, 2), varint(1), utf8('a'), bytes]);
  const nodeWith = (attrBytes: Uint8Array) => concat([lenField(4, utf8('Relu')), lenField(5, attrBytes)]);
  const m = (nodeBytes: Uint8Array) => concat([varintField(1, 8), lenField(7, lenField(1, nodeBytes))]);
  readError(
    () => readModelBytes(m(nodeWith(attrRaw(varintField(2, 5)))), 'wf.onnx'),
    'wf.onnx',
    /field 2 has wire type 0 \(varint\), expected fixed32/,
  );
  readError(
    () => readModelBytes(m(nodeWith(attrRaw(lenField(3, utf8('xx'))))), 'wi.onnx'),
    'wi.onnx',
    /field 3 has wire type 2 \(length-delimited\), expected varint/,
  );
  // a node's op_type written as a varint; a graph written as a varint
  readError(() => readModelBytes(m(varintField(4, 1)), 'op.onnx'), 'op.onnx', /field 4 has wire type 0/);
  readError(
    () => readModelBytes(concat([varintField(1, 8), varintField(7, 1)]), 'g.onnx'),
    'g.onnx',
    /field 'graph' has wire type 0/,
  );
  // a node without op_type
  readError(
    () => readModelBytes(m(lenField(3, utf8('nameless'))), 'noop.onnx'),
    'noop.onnx',
    /node #0 'nameless' has no op_type/,
  );
  // an attribute with a value of another type than it declares is taken at its declared type
  const mixed = readModelBytes(
    model({
      graph: graph({
        nodes: [{ ...node('Relu', ['x'], ['y']), attribute: [{ name: 'k', type: AT.INT, i: 4, f: 2.5 }] }],
        inputs: [vi('x', T.FLOAT, [1])],
      }),
    }),
  );
  assert.deepEqual(mixed.graph.nodes[0].attrs.k, { type: 'int', value: 4 });
  // type-less attributes (IR < 0.0.2) are typed from the field that is set
  const old = readModelBytes(
    model({
      graph: graph({
        nodes: [
          {
            ...node('Relu', ['x'], ['y']),
            attribute: [
              { name: 'k', ints: [1, 2] },
              { name: 's', s: utf8('v') },
            ],
          },
        ],
        inputs: [vi('x', T.FLOAT, [1])],
      }),
    }),
  );
  assert.deepEqual(old.graph.nodes[0].attrs, { k: { type: 'ints', value: [1, 2] }, s: { type: 'string', value: 'v' } });
  void attr;
});

test('strings over the size limit are refused, not allocated', () => {
  const big = concat([varintField(1, 8), tag(2, 2), varint(80 << 20)]);
  // the length is checked against the message before any allocation
  readError(() => readModelBytes(big, 'big.onnx'), 'big.onnx', /runs past the end/);
});

test('the OnnxReadError message is "file: problem (at where)"', () => {
  try {
    readModelBytes(tinyModel().subarray(0, 20), 'x.onnx');
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof OnnxReadError);
    assert.equal(e.name, 'OnnxReadError');
    assert.equal(e.message, `x.onnx: ${e.problem} (at ${e.where})`);
  }
});
