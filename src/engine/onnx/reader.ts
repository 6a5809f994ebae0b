// Reads an ONNX ModelProto into the model IR by walking the wire format (see wire.ts for why).
// Field numbers are those of onnx/onnx.proto (IR 3 to 13).
import * as fs from 'fs';
import * as path from 'path';
import { Cursor, WIRE_LEN, WireError } from './wire';
import { BufferSource, FileSource, type ByteSource } from './source';
import { OnnxReadError, type Diagnostic } from './errors';
import type { AttrValue, FunctionDef, Graph, Model, Node, TensorInfo, ValueInfo, ValueType } from './ir';
import { readSparseTensor, readTensor, type TensorContext } from './tensor';
import { ExternalDataEscapeError, ExternalResolver } from './external';
import { validateModel } from './validate';

export const MAX_GRAPH_DEPTH = 32;
const MAX_TYPE_DEPTH = 32;

class Walker {
  readonly diagnostics: Diagnostic[] = [];
  readonly ctx: TensorContext;
  constructor(readonly file: string, modelDir: string | null) {
    const resolver = modelDir ? new ExternalResolver(modelDir) : null;
    this.ctx = {
      resolveExternal: (location, offset, length) => {
        if (!resolver) {
          if (!this.seenExternal.has(location)) {
            this.seenExternal.add(location);
            this.diagnostics.push({ severity: 'warning', message: `external data '${location}' cannot be resolved for an in-memory model` });
          }
          return { resolved: null, missing: true };
        }
        const r = resolver.resolve(location, offset, length);
        if (r.warning && !this.seenExternal.has(location + r.warning)) {
          this.seenExternal.add(location + r.warning);
          this.diagnostics.push({ severity: 'warning', message: r.warning });
        }
        return { resolved: r.resolved, missing: r.missing };
      },
    };
  }
  private seenExternal = new Set<string>();

  model(c: Cursor, fileSize: number): Model {
    const m: Model = {
      path: this.file, fileSize, irVersion: 0, opsets: {}, producerName: '', producerVersion: '', domain: '',
      modelVersion: 0, docString: '', metadata: {}, graph: emptyGraph('main'), functions: [], trainingInfoCount: 0,
      diagnostics: this.diagnostics,
    };
    let sawGraph = false;
    let sawIr = false;
    let inGraph = false;
    try {
      while (!c.done) {
        const { field, wire } = c.tag();
        switch (field) {
          case 1: m.irVersion = c.int(); sawIr = true; break;
          case 2: m.producerName = c.string(); break;
          case 3: m.producerVersion = c.string(); break;
          case 4: m.domain = c.string(); break;
          case 5: m.modelVersion = c.int(); break;
          case 6: m.docString = c.string(); break;
          case 7: expectLen(wire, 'graph', c); inGraph = true; m.graph = this.graph(c.sub(), 'main', 0); sawGraph = true; break;
          case 8: { expectLen(wire, 'opset_import', c); const [d, v] = this.opset(c.sub()); setKey(m.opsets, d === 'ai.onnx' ? '' : d, v); break; }
          case 14: { expectLen(wire, 'metadata_props', c); const [k, v] = this.kv(c.sub()); setKey(m.metadata, k, v); break; }
          case 20: m.trainingInfoCount++; c.skip(wire); break;
          case 25: expectLen(wire, 'functions', c); m.functions.push(this.func(c.sub())); break;
          default: c.skip(wire);
        }
      }
    } catch (e) {
      // Nothing ONNX-like came before the bad field: say so rather than report a protobuf detail.
      if (e instanceof WireError && !sawIr && !inGraph && !Object.keys(m.opsets).length && !e.message.startsWith('not an ONNX')) {
        throw new WireError(`not an ONNX model: no ir_version or graph before a malformed field (${e.message})`, e.offset);
      }
      throw e;
    }
    if (!sawGraph) {
      throw new WireError(sawIr || Object.keys(m.opsets).length
        ? 'the ModelProto has no graph'
        : 'not an ONNX model: no ir_version and no graph (is this another format renamed .onnx?)', 0);
    }
    if (!sawIr) this.diagnostics.push({ severity: 'warning', message: 'the model has no ir_version' });
    return m;
  }

  opset(c: Cursor): [string, number] {
    let d = '', v = 0;
    while (!c.done) {
      const { field, wire } = c.tag();
      if (field === 1) d = c.string(); else if (field === 2) v = c.int(); else c.skip(wire);
    }
    return [d, v];
  }

  kv(c: Cursor): [string, string] {
    let k = '', v = '';
    while (!c.done) {
      const { field, wire } = c.tag();
      if (field === 1) k = c.string(); else if (field === 2) v = c.string(); else c.skip(wire);
    }
    return [k, v];
  }

  graph(c: Cursor, gpath: string, depth: number): Graph {
    if (depth > MAX_GRAPH_DEPTH) throw new WireError(`subgraphs nested deeper than ${MAX_GRAPH_DEPTH} levels at ${gpath}`, c.pos);
    const g = emptyGraph(gpath);
    while (!c.done) {
      const { field, wire } = c.tag();
      switch (field) {
        case 1: expectLen(wire, 'node', c); g.nodes.push(this.nodeAt(c.sub(), gpath, depth, g.nodes.length)); break;
        case 2: g.name = c.string(); break;
        case 5: expectLen(wire, 'initializer', c); g.initializers.push(readTensor(c.sub(), this.ctx)); break;
        case 15: expectLen(wire, 'sparse_initializer', c); g.sparseInitializers.push(readSparseTensor(c.sub(), this.ctx)); break;
        case 11: expectLen(wire, 'input', c); g.inputs.push(this.valueInfo(c.sub())); break;
        case 12: expectLen(wire, 'output', c); g.outputs.push(this.valueInfo(c.sub())); break;
        case 13: expectLen(wire, 'value_info', c); g.valueInfo.push(this.valueInfo(c.sub())); break;
        default: c.skip(wire);
      }
    }
    return g;
  }

  /** Reads node #index in one pass over the graph (no second walk), naming it in any error. */
  nodeAt(c: Cursor, gpath: string, depth: number, index: number): Node {
    try {
      return this.node(c, gpath, depth, index);
    } catch (e) {
      if (e instanceof WireError && !e.message.includes(' node #')) throw new WireError(`${e.message} in ${gpath} node #${index}`, e.offset);
      throw e;
    }
  }

  node(c: Cursor, gpath: string, depth: number, index: number): Node {
    const n: Node = { name: '', opType: '', domain: '', inputs: [], outputs: [], attrs: {}, index };
    const attrSpans: Cursor[] = [];
    while (!c.done) {
      const { field, wire } = c.tag();
      switch (field) {
        case 1: n.inputs.push(c.string()); break;
        case 2: n.outputs.push(c.string()); break;
        case 3: n.name = c.string(); break;
        case 4: n.opType = c.string(); break;
        case 7: n.domain = c.string(); break;
        case 5: expectLen(wire, 'attribute', c); attrSpans.push(c.sub()); break;
        default: c.skip(wire);
      }
    }
    if (n.domain === 'ai.onnx') n.domain = '';
    if (!n.opType) throw new WireError(`node #${index} '${n.name}' has no op_type`, c.pos);
    for (const a of attrSpans) {
      const [name, value] = this.attribute(a, `${gpath}/${n.name || n.opType + '_' + index}`, depth);
      setKey(n.attrs, name, value);
    }
    return n;
  }

  attribute(c: Cursor, ownerPath: string, depth: number): [string, AttrValue] {
    let name = '';
    let type = 0;
    let refAttr = '';
    let f: number | undefined, i: number | undefined, s: string | undefined;
    let t: TensorInfo | undefined, g: Graph | undefined, tp: ValueType | null | undefined;
    let st: ReturnType<typeof readSparseTensor> | undefined;
    const floats: number[] = [], ints: number[] = [], strings: string[] = [];
    const tensors: TensorInfo[] = [], graphs: Graph[] = [], sparse: ReturnType<typeof readSparseTensor>[] = [];
    const tps: (ValueType | null)[] = [];
    const graphCursors: Cursor[] = [];
    let singleGraph: Cursor | undefined;
    while (!c.done) {
      const { field, wire } = c.tag();
      switch (field) {
        case 1: name = c.string(); break;
        case 20: type = c.int(); break;
        case 21: refAttr = c.string(); break;
        case 2: f = c.float32(); break;
        case 3: i = c.int(); break;
        case 4: s = c.string(); break;
        case 5: t = readTensor(c.sub(), this.ctx); break;
        case 6: singleGraph = c.sub(); break;
        case 22: st = readSparseTensor(c.sub(), this.ctx); break;
        case 14: tp = this.type(c.sub(), 0); break;
        case 7: c.floats(wire, floats); break;
        case 8: c.ints(wire, ints); break;
        case 9: strings.push(c.string()); break;
        case 10: tensors.push(readTensor(c.sub(), this.ctx)); break;
        case 11: graphCursors.push(c.sub()); break;
        case 23: sparse.push(readSparseTensor(c.sub(), this.ctx)); break;
        case 15: tps.push(this.type(c.sub(), 0)); break;
        default: c.skip(wire);
      }
    }
    if (singleGraph) g = this.graph(singleGraph, `${ownerPath}.${name}`, depth + 1);
    graphCursors.forEach((gc, k) => graphs.push(this.graph(gc, `${ownerPath}.${name}[${k}]`, depth + 1)));
    if (refAttr) return [name, { type: 'ref', refAttrName: refAttr }];
    // IR < 0.0.2 models may omit `type`: infer it from the field that is set.
    if (type === 0) {
      type = f !== undefined ? 1 : i !== undefined ? 2 : s !== undefined ? 3 : t ? 4 : g ? 5 : st ? 11 : tp !== undefined ? 13
        : floats.length ? 6 : ints.length ? 7 : strings.length ? 8 : tensors.length ? 9 : graphs.length ? 10 : sparse.length ? 12 : tps.length ? 14 : 0;
    }
    const bad = (what: string) => new WireError(`attribute '${name}' declares type ${what} but has no such value`, c.pos);
    switch (type) {
      case 1: return [name, { type: 'float', value: f ?? 0 }];
      case 2: return [name, { type: 'int', value: i ?? 0 }];
      case 3: return [name, { type: 'string', value: s ?? '' }];
      case 4: if (!t) throw bad('TENSOR'); return [name, { type: 'tensor', value: t }];
      case 5: if (!g) throw bad('GRAPH'); return [name, { type: 'graph', value: g }];
      case 11: if (!st) throw bad('SPARSE_TENSOR'); return [name, { type: 'sparse_tensor', value: st }];
      case 13: return [name, { type: 'type_proto', value: tp ?? null }];
      case 6: return [name, { type: 'floats', value: floats }];
      case 7: return [name, { type: 'ints', value: ints }];
      case 8: return [name, { type: 'strings', value: strings }];
      case 9: return [name, { type: 'tensors', value: tensors }];
      case 10: return [name, { type: 'graphs', value: graphs }];
      case 12: return [name, { type: 'sparse_tensors', value: sparse }];
      case 14: return [name, { type: 'type_protos', value: tps }];
      case 0: return [name, { type: 'undefined' }];
      default: throw new WireError(`attribute '${name}' has unknown type ${type}`, c.pos);
    }
  }

  valueInfo(c: Cursor): ValueInfo {
    const v: ValueInfo = { name: '', type: null };
    while (!c.done) {
      const { field, wire } = c.tag();
      if (field === 1) v.name = c.string();
      else if (field === 2) { expectLen(wire, 'type', c); v.type = this.type(c.sub(), 0); }
      else c.skip(wire);
    }
    return v;
  }

  type(c: Cursor, depth: number): ValueType | null {
    if (depth > MAX_TYPE_DEPTH) throw new WireError(`type nested deeper than ${MAX_TYPE_DEPTH} levels`, c.pos);
    let out: ValueType | null = null;
    while (!c.done) {
      const { field, wire } = c.tag();
      if (wire !== WIRE_LEN) { c.skip(wire); continue; }
      const sc = c.sub();
      switch (field) {
        case 1: out = this.tensorType(sc, 'tensor'); break;
        case 8: out = this.tensorType(sc, 'sparse_tensor'); break;
        case 4: case 9: { // sequence_type, optional_type: elem_type = 1
          let elem: ValueType | null = null;
          while (!sc.done) { const t = sc.tag(); if (t.field === 1 && t.wire === WIRE_LEN) elem = this.type(sc.sub(), depth + 1); else sc.skip(t.wire); }
          out = field === 4 ? { kind: 'sequence', elem } : { kind: 'optional', elem };
          break;
        }
        case 5: { // map_type: key_type = 1, value_type = 2
          let keyDtype = 0; let value: ValueType | null = null;
          while (!sc.done) {
            const t = sc.tag();
            if (t.field === 1) keyDtype = sc.int();
            else if (t.field === 2 && t.wire === WIRE_LEN) value = this.type(sc.sub(), depth + 1);
            else sc.skip(t.wire);
          }
          out = { kind: 'map', keyDtype, value };
          break;
        }
        case 7: out = { kind: 'opaque' }; break;
        default: break;
      }
    }
    return out;
  }

  tensorType(c: Cursor, kind: 'tensor' | 'sparse_tensor'): ValueType {
    let dtype = 0;
    let dims: (number | string | null)[] | null = null;
    while (!c.done) {
      const { field, wire } = c.tag();
      if (field === 1) dtype = c.int();
      else if (field === 2 && wire === WIRE_LEN) {
        dims = [];
        const sc = c.sub();
        while (!sc.done) {
          const t = sc.tag();
          if (t.field !== 1 || t.wire !== WIRE_LEN) { sc.skip(t.wire); continue; }
          if (dims.length >= 64) throw new WireError('tensor shape has more than 64 dimensions', sc.pos);
          const dc = sc.sub();
          let d: number | string | null = null;
          while (!dc.done) {
            const u = dc.tag();
            if (u.field === 1) d = dc.int(); else if (u.field === 2) d = dc.string(4096) || null; else dc.skip(u.wire);
          }
          if (typeof d === 'number' && d < 0) d = null;
          dims.push(d);
        }
      } else c.skip(wire);
    }
    return { kind, dtype, dims };
  }

  func(c: Cursor): FunctionDef {
    const f: FunctionDef = { name: '', domain: '', overload: '', inputs: [], outputs: [], attributes: [], attributeDefaults: {}, nodes: [], opsets: {}, valueInfo: [] };
    const nodeSpans: Cursor[] = [];
    const attrSpans: Cursor[] = [];
    while (!c.done) {
      const { field, wire } = c.tag();
      switch (field) {
        case 1: f.name = c.string(); break;
        case 4: f.inputs.push(c.string()); break;
        case 5: f.outputs.push(c.string()); break;
        case 6: f.attributes.push(c.string()); break;
        case 11: attrSpans.push(c.sub()); break;
        case 7: nodeSpans.push(c.sub()); break;
        case 9: { const [d, v] = this.opset(c.sub()); setKey(f.opsets, d === 'ai.onnx' ? '' : d, v); break; }
        case 10: f.domain = c.string(); break;
        case 13: f.overload = c.string(); break;
        case 12: f.valueInfo.push(this.valueInfo(c.sub())); break;
        default: c.skip(wire);
      }
    }
    const fpath = `function ${f.domain}.${f.name}`;
    for (const a of attrSpans) {
      const [name, value] = this.attribute(a, fpath, 1);
      f.attributes.push(name);
      setKey(f.attributeDefaults, name, value);
    }
    nodeSpans.forEach((nc, i) => f.nodes.push(this.nodeAt(nc, fpath, 1, i)));
    return f;
  }
}

/** Sets a key read from the file as an own property: a name such as '__proto__' must not change the object's prototype. */
function setKey<V>(obj: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Names the format of a file that is not a protobuf at all, from its first bytes. */
export function sniffForeignFormat(head: Uint8Array): string | null {
  const starts = (...b: number[]) => b.every((x, i) => head[i] === x);
  const text = Buffer.from(head.subarray(0, 64)).toString('latin1');
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'a zip archive (a PyTorch .pt/.pth checkpoint or .zip?)';
  if (starts(0x1f, 0x8b)) return 'a gzip archive';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'a zstd archive';
  if (starts(0x80) && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) return 'a Python pickle';
  if (text.startsWith('%PDF')) return 'a PDF document';
  if (text.startsWith('\x93NUMPY')) return 'a NumPy array (.npy)';
  if (text.startsWith('\x89HDF')) return 'an HDF5 file (Keras .h5?)';
  if (text.slice(4, 8) === 'TFL3') return 'a TensorFlow Lite flatbuffer';
  if (text.startsWith('GGUF')) return 'a GGUF model';
  if (text.startsWith('<?xml') || text.startsWith('<')) return 'XML or HTML text (an OpenVINO .xml?)';
  if (text.startsWith('version https://git-lfs')) return 'a Git LFS pointer (the model was not downloaded: run git lfs pull)';
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return 'JSON text';
  if (/^ir_version\s*:/.test(t)) return 'ONNX text format (protobuf text, not the binary .onnx)';
  return null;
}

function expectLen(wire: number, what: string, c: Cursor): void {
  if (wire !== WIRE_LEN) throw new WireError(`field '${what}' has wire type ${wire}, expected a length-delimited message`, c.pos);
}

function emptyGraph(p: string): Graph {
  return { name: '', path: p, nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: [], sparseInitializers: [] };
}

/** Reads a model from any byte source; `modelDir` resolves external data (null: it cannot resolve). */
export function readModelSource(src: ByteSource, file: string, modelDir: string | null): Model {
  return parse(src, file, modelDir);
}

function parse(src: ByteSource, file: string, modelDir: string | null): Model {
  const w = new Walker(file, modelDir);
  try {
    if (src.size === 0) throw new WireError('the file is empty', 0);
    const foreign = sniffForeignFormat(src.view(0, Math.min(64, src.size)));
    if (foreign) throw new WireError(`not an ONNX model: the file is ${foreign}`, 0);
    const m = w.model(new Cursor(src, 0, src.size), src.size);
    validateModel(m);
    return m;
  } catch (e) {
    if (e instanceof WireError) { if (process.env.ONNX_DEBUG) console.error(e.stack);
      throw new OnnxReadError(file, e.message.startsWith('not an ONNX') ? e.message : `not a valid ONNX protobuf: ${e.message}`, `byte ${e.offset}`);
    }
    if (e instanceof ExternalDataEscapeError) throw new OnnxReadError(file, e.message, e.where);
    if (e instanceof RangeError) {
      // a stack overflow from nesting the depth limits did not catch is a RangeError too
      const deep = /call stack/i.test(e.message);
      throw new OnnxReadError(file, deep ? 'structures nested too deeply to read' : `the file is truncated or corrupt: ${e.message}`);
    }
    throw e;
  }
}

/** Reads a model file through a bounded window: memory does not grow with the file size. */
export function readModelFile(file: string): Model {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new OnnxReadError(file, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (st.isDirectory()) throw new OnnxReadError(file, 'is a directory, not an .onnx file');
  if (!st.isFile()) throw new OnnxReadError(file, 'is not a regular file (a device, pipe or socket)');
  let src: FileSource;
  try {
    src = new FileSource(file);
  } catch (e) {
    throw new OnnxReadError(file, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return parse(src, file, path.dirname(path.resolve(file)));
  } finally {
    src.close();
  }
}

/** Reads a model from bytes (tests, fuzzing, the webview's own fixtures). External data cannot resolve. */
export function readModelBytes(bytes: Uint8Array, name = '<memory>', modelDir: string | null = null): Model {
  return parse(new BufferSource(bytes), name, modelDir);
}
