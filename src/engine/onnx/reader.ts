// Reads an ONNX ModelProto into the model IR by walking the wire format (see wire.ts for why).
// Field numbers are those of onnx/onnx.proto (IR 3 to 13).
import * as fs from 'fs';
import * as path from 'path';
import { Cursor, WIRE_LEN, WireError, emptyList } from './wire';
import { BufferSource, FileSource, type ByteSource } from './source';
import { OnnxReadError, type Diagnostic } from './errors';
import type {
  AttrValue,
  FunctionDef,
  Graph,
  Model,
  Node,
  SparseTensorInfo,
  TensorInfo,
  ValueInfo,
  ValueType,
} from './ir';
import { readSparseTensor, readTensor, type TensorContext } from './tensor';
import { ExternalDataEscapeError, ExternalResolver } from './external';
import { emptyGraphNames, validateModelNames, type GraphNames } from './validate';
import { rememberIds } from './nameIds';

import { LIMITS } from '../limits';

export const MAX_GRAPH_DEPTH = LIMITS.maxGraphDepth;
/** The attributes of every node that has none: one frozen object, not an empty one per node (56 bytes each). */
const NO_ATTRS: Node['attrs'] = Object.freeze({});
const MAX_TYPE_DEPTH = LIMITS.maxTypeDepth;

/** Resolves external data for the tensors of one read, reporting each problem once. A class, not a
 * closure per read: readTensor's optimized code then sees the same function every read. */
class ExternalContext implements TensorContext {
  private readonly seen = new Set<string>();
  private readonly resolver: ExternalResolver | null;

  constructor(
    modelDir: string | null,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.resolver = modelDir ? new ExternalResolver(modelDir) : null;
  }

  resolveExternal(
    location: string,
    offset: number,
    length: number | null,
  ): { resolved: string | null; missing: boolean } {
    if (!this.resolver) {
      if (!this.seen.has(location)) {
        this.seen.add(location);
        this.diagnostics.push({
          severity: 'warning',
          message: `external data '${location}' cannot be resolved for an in-memory model`,
        });
      }
      return { resolved: null, missing: true };
    }
    const r = this.resolver.resolve(location, offset, length);
    // every warning names its location, so the text alone dedupes (and repeats are one cached string)
    if (r.warning && !this.seen.has(r.warning)) {
      this.seen.add(r.warning);
      this.diagnostics.push({ severity: 'warning', message: r.warning });
    }
    return r;
  }
}

class Walker {
  readonly diagnostics: Diagnostic[] = [];
  readonly ctx: TensorContext;
  constructor(
    readonly file: string,
    modelDir: string | null,
  ) {
    this.ctx = new ExternalContext(modelDir, this.diagnostics);
  }

  // Every method reads the message the cursor is on (entered by its caller) up to the cursor's end.

  model(c: Cursor, fileSize: number): Model {
    const m: Model = {
      path: this.file,
      fileSize,
      irVersion: 0,
      opsets: {},
      producerName: '',
      producerVersion: '',
      domain: '',
      modelVersion: 0,
      docString: '',
      metadata: {},
      graph: emptyGraph('main'),
      functions: [],
      trainingInfoCount: 0,
      diagnostics: this.diagnostics,
    };
    let sawGraph = false;
    let sawIr = false;
    let inGraph = false;
    try {
      while (c.pos < c.end) {
        const field = c.tag();
        const wire = c.wire;
        switch (field) {
          case 1:
            m.irVersion = c.int();
            sawIr = true;
            break;
          case 2:
            m.producerName = c.string();
            break;
          case 3:
            m.producerVersion = c.string();
            break;
          case 4:
            m.domain = c.string();
            break;
          case 5:
            m.modelVersion = c.int();
            break;
          case 6:
            m.docString = c.string();
            break;
          case 7: {
            expectLen(wire, 'graph', c);
            inGraph = true;
            const o = c.enter();
            m.graph = this.graph(c, 'main', 0);
            c.leave(o);
            sawGraph = true;
            break;
          }
          case 8: {
            expectLen(wire, 'opset_import', c);
            const o = c.enter();
            const [d, v] = this.opset(c);
            c.leave(o);
            setKey(m.opsets, d === 'ai.onnx' ? '' : d, v);
            break;
          }
          case 14: {
            expectLen(wire, 'metadata_props', c);
            const o = c.enter();
            const [k, v] = this.kv(c);
            c.leave(o);
            setKey(m.metadata, k, v);
            break;
          }
          case 20:
            m.trainingInfoCount++;
            c.skip(wire);
            break;
          case 25: {
            expectLen(wire, 'functions', c);
            const o = c.enter();
            m.functions.push(this.func(c));
            c.leave(o);
            break;
          }
          default:
            c.skip(wire);
        }
      }
    } catch (e) {
      // Nothing ONNX-like came before the bad field: say so rather than report a protobuf detail.
      if (
        e instanceof WireError &&
        !sawIr &&
        !inGraph &&
        !Object.keys(m.opsets).length &&
        !e.message.startsWith('not an ONNX')
      ) {
        throw new WireError(
          `not an ONNX model: no ir_version or graph before a malformed field (${e.message})`,
          e.offset,
        );
      }
      throw e;
    }
    if (!sawGraph) {
      throw new WireError(
        sawIr || Object.keys(m.opsets).length
          ? 'the ModelProto has no graph'
          : 'not an ONNX model: no ir_version and no graph (is this another format renamed .onnx?)',
        0,
      );
    }
    if (!sawIr) this.diagnostics.push({ severity: 'warning', message: 'the model has no ir_version' });
    return m;
  }

  opset(c: Cursor): [string, number] {
    let d = '',
      v = 0;
    while (c.pos < c.end) {
      const field = c.tag();
      if (field === 1) d = c.name();
      else if (field === 2) v = c.int();
      else c.skip(c.wire);
    }
    return [d, v];
  }

  kv(c: Cursor): [string, string] {
    let k = '',
      v = '';
    while (c.pos < c.end) {
      const field = c.tag();
      if (field === 1) k = c.string();
      else if (field === 2) v = c.string();
      else c.skip(c.wire);
    }
    return [k, v];
  }

  graph(c: Cursor, gpath: string, depth: number): Graph {
    if (depth > MAX_GRAPH_DEPTH)
      throw new WireError(`subgraphs nested deeper than ${MAX_GRAPH_DEPTH} levels at ${gpath}`, c.pos);
    const g = emptyGraph(gpath);
    // the graph's names as ids, for validation (see validate.ts); nodes of subgraphs read meanwhile go to theirs
    const outer = this.names;
    const gn = (this.names = emptyGraphNames());
    this.graphNames.set(g, gn);
    while (c.pos < c.end) {
      const field = c.tag();
      const wire = c.wire;
      switch (field) {
        case 1: {
          expectLen(wire, 'node', c);
          const o = c.enter();
          if (++this.nodeCount > LIMITS.maxGraphNodes)
            throw new WireError(
              `more than ${LIMITS.maxGraphNodes} nodes in the model's graphs (limit maxGraphNodes) at ${gpath}`,
              c.pos,
            );
          g.nodes.push(this.nodeAt(c, gpath, depth, g.nodes.length));
          c.leave(o);
          break;
        }
        case 2:
          g.name = c.string();
          break;
        case 5: {
          expectLen(wire, 'initializer', c);
          const o = c.enter();
          g.initializers.push(readTensor(c, this.ctx));
          gn.inits.push(c.refId);
          c.leave(o);
          break;
        }
        case 15: {
          expectLen(wire, 'sparse_initializer', c);
          const o = c.enter();
          g.sparseInitializers.push(readSparseTensor(c, this.ctx));
          gn.sparseInits.push(c.refId);
          c.leave(o);
          break;
        }
        case 11: {
          expectLen(wire, 'input', c);
          const o = c.enter();
          g.inputs.push(this.valueInfo(c));
          gn.inputs.push(c.refId);
          c.leave(o);
          break;
        }
        case 12: {
          expectLen(wire, 'output', c);
          const o = c.enter();
          g.outputs.push(this.valueInfo(c));
          gn.outputs.push(c.refId);
          c.leave(o);
          break;
        }
        case 13: {
          expectLen(wire, 'value_info', c);
          const o = c.enter();
          g.valueInfo.push(this.valueInfo(c));
          c.leave(o);
          break;
        }
        default:
          c.skip(wire);
      }
    }
    this.names = outer;
    return g;
  }

  /** Reads node #index in one pass over the graph (no second walk), naming it in any error. */
  nodeAt(c: Cursor, gpath: string, depth: number, index: number): Node {
    try {
      return this.node(c, gpath, depth, index);
    } catch (e) {
      if (e instanceof WireError && !e.message.includes(' node #'))
        throw new WireError(`${e.message} in ${gpath} node #${index}`, e.offset);
      throw e;
    }
  }

  /** Scratch lists for a node's inputs and outputs, copied to exact-size arrays once the node is read:
   * an array grown by push keeps 17 slots for 1 or 2 names, which is most of a graph file's heap. */
  private readonly ins: string[] = emptyList<string>();
  private readonly outs: string[] = emptyList<string>();
  /** the names of the graph being read (a scratch record inside a function) and of every graph read */
  private names: GraphNames = emptyGraphNames();
  /** nodes read so far in all graphs and functions (LIMITS.maxGraphNodes) */
  private nodeCount = 0;
  readonly graphNames = new Map<Graph, GraphNames>();
  private readonly spans: number[] = [];
  private spanTop = 0;

  node(c: Cursor, gpath: string, depth: number, index: number): Node {
    let name = '',
      opType = '',
      domain = '';
    let nameId = -1;
    const ins = this.ins,
      outs = this.outs;
    let ni = 0,
      no = 0;
    const gn = this.names; // (a function's nodes go to a scratch record: functions are not validated)
    // attributes are read after the node's other fields (a subgraph's path needs the node's name): their
    // spans go on a stack shared by all nodes, above those of the nodes whose subgraphs are being read
    const spans = this.spans;
    const base = this.spanTop;
    let top = base;
    while (c.pos < c.end) {
      const field = c.tag();
      switch (field) {
        case 1:
          ins[ni++] = c.ref();
          gn.ins.push(c.refId);
          break;
        case 2:
          outs[no++] = c.ref();
          gn.outs.push(c.refId);
          break;
        case 3:
          name = c.ref();
          nameId = c.refId;
          break;
        case 4:
          opType = c.name();
          break;
        case 7:
          domain = c.name();
          break;
        case 5: {
          expectLen(c.wire, 'attribute', c);
          spans[top++] = c.span();
          spans[top++] = c.pos;
          break;
        }
        default:
          c.skip(c.wire);
      }
    }
    this.spanTop = top;
    // (attributes are read below: the scratch lists are free again before any subgraph's nodes use them)
    const n: Node = {
      name,
      opType,
      domain: domain === 'ai.onnx' ? '' : domain,
      inputs: ins.slice(0, ni),
      outputs: outs.slice(0, no),
      attrs: top > base ? {} : NO_ATTRS,
      index,
    };
    if (!n.opType) throw new WireError(`node #${index} '${n.name}' has no op_type`, c.pos);
    gn.nodeNames.push(nameId);
    gn.insEnd.push(gn.ins.length);
    gn.outsEnd.push(gn.outs.length);
    if (top > base) {
      const pos = c.pos,
        end = c.end;
      for (let k = base; k < top; k += 2) {
        c.seek(spans[k], spans[k + 1]);
        const value = this.attribute(c, gpath, n, depth);
        setKey(n.attrs, this.attrName, value);
      }
      c.seek(pos, end);
    }
    this.spanTop = base;
    return n;
  }

  /** name of the attribute attribute() read last */
  private attrName = '';

  /** Reads one AttributeProto of node `owner` in graph `base` (or of function `base`); its name is left in attrName. */
  attribute(c: Cursor, base: string, owner: Node | null, depth: number): AttrValue {
    let name = '';
    let type = 0;
    let refAttr = '';
    let f: number | undefined, i: number | undefined, s: string | undefined;
    let t: TensorInfo | undefined, g: Graph | undefined, tp: ValueType | null | undefined;
    let st: SparseTensorInfo | undefined;
    // repeated values: arrays only for the fields present (most attributes hold one scalar)
    let floats: number[] | undefined, ints: number[] | undefined, strings: string[] | undefined;
    let tensors: TensorInfo[] | undefined,
      sparse: SparseTensorInfo[] | undefined,
      tps: (ValueType | null)[] | undefined;
    let graphSpans: number[] | undefined;
    let singleGraph = -1,
      singleGraphEnd = 0;
    while (c.pos < c.end) {
      const field = c.tag();
      const wire = c.wire;
      switch (field) {
        case 1:
          name = c.name();
          break;
        case 20:
          type = c.int();
          break;
        case 21:
          refAttr = c.string();
          break;
        case 2:
          f = c.float32();
          break;
        case 3:
          i = c.int();
          break;
        case 4:
          s = c.name();
          break;
        case 5: {
          const o = c.enter();
          t = readTensor(c, this.ctx);
          c.leave(o);
          break;
        }
        case 6:
          singleGraph = c.span();
          singleGraphEnd = c.pos;
          break;
        case 22: {
          const o = c.enter();
          st = readSparseTensor(c, this.ctx);
          c.leave(o);
          break;
        }
        case 14: {
          const o = c.enter();
          tp = this.type(c, 0);
          c.leave(o);
          break;
        }
        case 7:
          c.floats(wire, (floats ??= []));
          break;
        case 8:
          ints ??= [];
          c.ints(wire, ints, ints.length);
          break;
        case 9:
          (strings ??= []).push(c.string());
          break;
        case 10: {
          const o = c.enter();
          (tensors ??= []).push(readTensor(c, this.ctx));
          c.leave(o);
          break;
        }
        case 11: {
          const o = c.span();
          (graphSpans ??= []).push(o, c.pos);
          break;
        }
        case 23: {
          const o = c.enter();
          (sparse ??= []).push(readSparseTensor(c, this.ctx));
          c.leave(o);
          break;
        }
        case 15: {
          const o = c.enter();
          (tps ??= []).push(this.type(c, 0));
          c.leave(o);
          break;
        }
        default:
          c.skip(wire);
      }
    }
    let graphs: Graph[] | undefined;
    if (singleGraph >= 0 || graphSpans) {
      const pos = c.pos,
        end = c.end;
      const ownerPath = owner ? `${base}/${owner.name || owner.opType + '_' + owner.index}` : base;
      if (singleGraph >= 0) {
        c.seek(singleGraph, singleGraphEnd);
        g = this.graph(c, `${ownerPath}.${name}`, depth + 1);
      }
      if (graphSpans) {
        for (let k = 0; k < graphSpans.length; k += 2) {
          c.seek(graphSpans[k], graphSpans[k + 1]);
          (graphs ??= []).push(this.graph(c, `${ownerPath}.${name}[${k / 2}]`, depth + 1));
        }
      }
      c.seek(pos, end);
    }
    this.attrName = name;
    if (refAttr) return { type: 'ref', refAttrName: refAttr };
    // IR < 0.0.2 models may omit `type`: infer it from the field that is set.
    if (type === 0) {
      type =
        f !== undefined
          ? 1
          : i !== undefined
            ? 2
            : s !== undefined
              ? 3
              : t
                ? 4
                : g
                  ? 5
                  : st
                    ? 11
                    : tp !== undefined
                      ? 13
                      : floats?.length
                        ? 6
                        : ints?.length
                          ? 7
                          : strings?.length
                            ? 8
                            : tensors?.length
                              ? 9
                              : graphs?.length
                                ? 10
                                : sparse?.length
                                  ? 12
                                  : tps?.length
                                    ? 14
                                    : 0;
    }
    switch (type) {
      case 1:
        return { type: 'float', value: f ?? 0 };
      case 2:
        return { type: 'int', value: i ?? 0 };
      case 3:
        return { type: 'string', value: s ?? '' };
      case 4:
        if (!t) throw noValue(name, 'TENSOR', c);
        return { type: 'tensor', value: t };
      case 5:
        if (!g) throw noValue(name, 'GRAPH', c);
        return { type: 'graph', value: g };
      case 11:
        if (!st) throw noValue(name, 'SPARSE_TENSOR', c);
        return { type: 'sparse_tensor', value: st };
      case 13:
        return { type: 'type_proto', value: tp ?? null };
      case 6:
        return { type: 'floats', value: floats ?? [] };
      case 7:
        return { type: 'ints', value: ints ?? [] };
      case 8:
        return { type: 'strings', value: strings ?? [] };
      case 9:
        return { type: 'tensors', value: tensors ?? [] };
      case 10:
        return { type: 'graphs', value: graphs ?? [] };
      case 12:
        return { type: 'sparse_tensors', value: sparse ?? [] };
      case 14:
        return { type: 'type_protos', value: tps ?? [] };
      case 0:
        return { type: 'undefined' };
      default:
        throw new WireError(`attribute '${name}' has unknown type ${type}`, c.pos);
    }
  }

  valueInfo(c: Cursor): ValueInfo {
    const v: ValueInfo = { name: '', type: null };
    let id = -1;
    while (c.pos < c.end) {
      const field = c.tag();
      if (field === 1) {
        v.name = c.ref();
        id = c.refId;
      } else if (field === 2) {
        expectLen(c.wire, 'type', c);
        const o = c.enter();
        v.type = this.type(c, 0);
        c.leave(o);
      } else c.skip(c.wire);
    }
    c.refId = id; // the name's id, for the caller
    return v;
  }

  type(c: Cursor, depth: number): ValueType | null {
    if (depth > MAX_TYPE_DEPTH) throw new WireError(`type nested deeper than ${MAX_TYPE_DEPTH} levels`, c.pos);
    let out: ValueType | null = null;
    while (c.pos < c.end) {
      const field = c.tag();
      if (c.wire !== WIRE_LEN) {
        c.skip(c.wire);
        continue;
      }
      const o = c.enter();
      switch (field) {
        case 1:
          out = this.tensorType(c, 'tensor');
          break;
        case 8:
          out = this.tensorType(c, 'sparse_tensor');
          break;
        case 4:
        case 9: {
          // sequence_type, optional_type: elem_type = 1
          let elem: ValueType | null = null;
          while (c.pos < c.end) {
            const t = c.tag();
            if (t === 1 && c.wire === WIRE_LEN) {
              const o2 = c.enter();
              elem = this.type(c, depth + 1);
              c.leave(o2);
            } else c.skip(c.wire);
          }
          out = field === 4 ? { kind: 'sequence', elem } : { kind: 'optional', elem };
          break;
        }
        case 5: {
          // map_type: key_type = 1, value_type = 2
          let keyDtype = 0;
          let value: ValueType | null = null;
          while (c.pos < c.end) {
            const t = c.tag();
            if (t === 1) keyDtype = c.int();
            else if (t === 2 && c.wire === WIRE_LEN) {
              const o2 = c.enter();
              value = this.type(c, depth + 1);
              c.leave(o2);
            } else c.skip(c.wire);
          }
          out = { kind: 'map', keyDtype, value };
          break;
        }
        case 7:
          out = { kind: 'opaque' };
          break;
        default:
          break;
      }
      c.leave(o);
    }
    return out;
  }

  tensorType(c: Cursor, kind: 'tensor' | 'sparse_tensor'): ValueType {
    let dtype = 0;
    let dims: (number | string | null)[] | null = null;
    while (c.pos < c.end) {
      const field = c.tag();
      if (field === 1) dtype = c.int();
      else if (field === 2 && c.wire === WIRE_LEN) {
        dims = [];
        const o = c.enter();
        while (c.pos < c.end) {
          const t = c.tag();
          if (t !== 1 || c.wire !== WIRE_LEN) {
            c.skip(c.wire);
            continue;
          }
          if (dims.length >= LIMITS.maxRank)
            throw new WireError(`tensor shape has more than ${LIMITS.maxRank} dimensions (limit maxRank)`, c.pos);
          const o2 = c.enter();
          let d: number | string | null = null;
          while (c.pos < c.end) {
            const u = c.tag();
            if (u === 1) d = c.int();
            else if (u === 2) d = c.name(4096) || null;
            else c.skip(c.wire);
          }
          c.leave(o2);
          if (typeof d === 'number' && d < 0) d = null;
          dims.push(d);
        }
        c.leave(o);
      } else c.skip(c.wire);
    }
    if (dims) {
      let elements = 1;
      for (const d of dims) if (typeof d === 'number') elements *= d;
      if (elements > LIMITS.maxElements)
        throw new WireError(
          `tensor type [${dims.join(',')}] has ${elements} elements, over the limit maxElements (2^63)`,
          c.pos,
        );
    }
    return { kind, dtype, dims };
  }

  func(c: Cursor): FunctionDef {
    const outer = this.names;
    this.names = emptyGraphNames();
    try {
      return this.funcBody(c);
    } finally {
      this.names = outer;
    }
  }

  funcBody(c: Cursor): FunctionDef {
    const f: FunctionDef = {
      name: '',
      domain: '',
      overload: '',
      inputs: [],
      outputs: [],
      attributes: [],
      attributeDefaults: {},
      nodes: [],
      opsets: {},
      valueInfo: [],
    };
    const nodeSpans: number[] = [];
    const attrSpans: number[] = [];
    while (c.pos < c.end) {
      const field = c.tag();
      switch (field) {
        case 1:
          f.name = c.string();
          break;
        case 4:
          f.inputs.push(c.ref());
          break;
        case 5:
          f.outputs.push(c.ref());
          break;
        case 6:
          f.attributes.push(c.string());
          break;
        case 11: {
          const s = c.span();
          attrSpans.push(s, c.pos);
          break;
        }
        case 7: {
          const s = c.span();
          nodeSpans.push(s, c.pos);
          break;
        }
        case 9: {
          const o = c.enter();
          const [d, v] = this.opset(c);
          c.leave(o);
          setKey(f.opsets, d === 'ai.onnx' ? '' : d, v);
          break;
        }
        case 10:
          f.domain = c.string();
          break;
        case 13:
          f.overload = c.string();
          break;
        case 12: {
          const o = c.enter();
          f.valueInfo.push(this.valueInfo(c));
          c.leave(o);
          break;
        }
        default:
          c.skip(c.wire);
      }
    }
    const fpath = `function ${f.domain}.${f.name}`;
    const pos = c.pos,
      end = c.end;
    for (let k = 0; k < attrSpans.length; k += 2) {
      c.seek(attrSpans[k], attrSpans[k + 1]);
      const value = this.attribute(c, fpath, null, 1);
      f.attributes.push(this.attrName);
      setKey(f.attributeDefaults, this.attrName, value);
    }
    for (let k = 0; k < nodeSpans.length; k += 2) {
      c.seek(nodeSpans[k], nodeSpans[k + 1]);
      f.nodes.push(this.nodeAt(c, fpath, 1, k / 2));
    }
    c.seek(pos, end);
    return f;
  }
}

/** Sets a key read from the file as an own property: a name such as '__proto__' must not change the object's prototype. */
function setKey<V>(obj: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Names the format of a file that is not a protobuf at all, from its first bytes. */
export function sniffForeignFormat(head: Uint8Array): string | null {
  const starts = (...b: number[]) => b.every((x, i) => head[i] === x);
  const text = Buffer.from(head.subarray(0, 64)).toString('latin1');
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'a PNG image';
  if (starts(0xff, 0xd8, 0xff)) return 'a JPEG image';
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06))
    return 'a zip archive (a PyTorch .pt/.pth checkpoint or .zip?)';
  if (starts(0x1f, 0x8b)) return 'a gzip archive';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'a zstd archive';
  if (starts(0x80) && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) return 'a Python pickle';
  if (text.startsWith('%PDF')) return 'a PDF document';
  if (text.startsWith('\x93NUMPY')) return 'a NumPy array (.npy)';
  if (text.startsWith('\x89HDF')) return 'an HDF5 file (Keras .h5?)';
  if (text.slice(4, 8) === 'TFL3') return 'a TensorFlow Lite flatbuffer';
  if (text.startsWith('GGUF')) return 'a GGUF model';
  if (text.startsWith('<?xml') || text.startsWith('<')) return 'XML or HTML text (an OpenVINO .xml?)';
  if (text.startsWith('version https://git-lfs'))
    return 'a Git LFS pointer (the model was not downloaded: run git lfs pull)';
  const t = text.trimStart();
  if (t.startsWith('{') || t.startsWith('[')) return 'JSON text';
  if (/^ir_version\s*:/.test(t)) return 'ONNX text format (protobuf text, not the binary .onnx)';
  return null;
}

function noValue(name: string, what: string, c: Cursor): WireError {
  return new WireError(`attribute '${name}' declares type ${what} but has no such value`, c.pos);
}

function expectLen(wire: number, what: string, c: Cursor): void {
  if (wire !== WIRE_LEN)
    throw new WireError(`field '${what}' has wire type ${wire}, expected a length-delimited message`, c.pos);
}

function emptyGraph(p: string): Graph {
  return {
    name: '',
    path: p,
    nodes: emptyList(),
    inputs: emptyList(),
    outputs: emptyList(),
    valueInfo: emptyList(),
    initializers: emptyList(),
    sparseInitializers: emptyList(),
  };
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
    const c = new Cursor(src, 0, src.size);
    const m = w.model(c, src.size);
    validateModelNames(m, { count: c.refCount, of: (g) => w.graphNames.get(g)! });
    // the numbering stays with each graph: later passes keep per-tensor state in arrays indexed by it
    for (const [g, gn] of w.graphNames) rememberIds(g, c.refCount, gn);
    return m;
  } catch (e) {
    if (e instanceof WireError) {
      if (process.env.ONNX_DEBUG) console.error(e.stack);
      throw new OnnxReadError(
        file,
        e.message.startsWith('not an ONNX') ? e.message : `not a valid ONNX protobuf: ${e.message}`,
        `byte ${e.offset}`,
      );
    }
    if (e instanceof ExternalDataEscapeError) throw new OnnxReadError(file, e.message, e.where);
    if (e instanceof RangeError) {
      // a stack overflow from nesting the depth limits did not catch is a RangeError too
      const deep = /call stack/i.test(e.message);
      throw new OnnxReadError(
        file,
        deep ? 'structures nested too deeply to read' : `the file is truncated or corrupt: ${e.message}`,
      );
    }
    throw e;
  }
}

/** Files up to this size are read whole into memory and walked there: a graph-only .onnx (weights
 * external) is about 1 MB even for a 70B-parameter LLM, and one read of it is ~10% faster on a first call
 * than refilling the window. Not more: a small model with embedded weights (tiny-llama's 3.9 MB .onnx)
 * reads 40% slower whole than through the window, which skips the weights (measured, test/bench). */
export const WHOLE_FILE_MAX_BYTES = 2 << 20;

export interface ReadFileOptions {
  /** files up to this many bytes are read whole (default WHOLE_FILE_MAX_BYTES; 0 always uses the window) */
  wholeFileMaxBytes?: number;
}

/** Reads a model file: small files in one read, larger ones through a bounded window (memory does not grow with the file size). */
export function readModelFile(file: string, opts: ReadFileOptions = {}): Model {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new OnnxReadError(file, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if (st.isDirectory()) throw new OnnxReadError(file, 'is a directory, not an .onnx file');
  if (!st.isFile()) throw new OnnxReadError(file, 'is not a regular file (a device, pipe or socket)');
  const modelDir = path.dirname(path.resolve(file));
  if (st.size <= (opts.wholeFileMaxBytes ?? WHOLE_FILE_MAX_BYTES)) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (e) {
      throw new OnnxReadError(file, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return parse(new BufferSource(bytes), file, modelDir);
  }
  let src: FileSource;
  try {
    src = new FileSource(file);
  } catch (e) {
    throw new OnnxReadError(file, `cannot open: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return parse(src, file, modelDir);
  } finally {
    src.close();
  }
}

/** Reads a model from bytes (tests, fuzzing, the webview's own fixtures). External data cannot resolve. */
export function readModelBytes(bytes: Uint8Array, name = '<memory>', modelDir: string | null = null): Model {
  return parse(new BufferSource(bytes), name, modelDir);
}
