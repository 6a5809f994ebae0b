// Long input/output lists in a few lines: an LLM export has hundreds of KV-cache tensors that differ only in a
// layer number and key/value ("past_key_values.0.key" ... "past_key_values.31.value"). Tensors whose names
// differ only in their numbers, and then only in one word, with the same dtype and dims, become one group:
// "past_key_values.0-31.key/value: 64 inputs, float16 [batch_size, 8, past_sequence_length, 128]". Pure (no
// DOM), so the unit tests run it directly; summary.ts draws each group as a disclosure listing its members.
import type { Dim } from '../src/engine/onnx/ir';

export interface IoValue {
  name: string;
  dtype: string;
  dims: Dim[] | null;
}

export interface IoGroup {
  /** the name with number ranges and alternatives ("past_key_values.0-31.key/value"); a lone value's own name */
  label: string;
  dtype: string;
  dims: Dim[] | null;
  /** the values, in the model's order */
  members: IoValue[];
}

/** Fewer members than this stay listed one by one. */
export const GROUP_MIN = 4;

export function dimsText(d: Dim[] | null): string {
  return d === null ? '?' : `[${d.map((x) => (x === null ? '?' : String(x))).join(', ')}]`;
}

interface Proto {
  texts: string[];
  nums: number[][];
  dtype: string;
  dims: Dim[] | null;
  members: IoValue[];
}

/** "a.12.b3" -> texts ["a.", ".b", ""], numbers [12, 3] */
function split(name: string): { texts: string[]; nums: number[] } {
  const texts: string[] = [];
  const nums: number[] = [];
  let last = 0;
  for (const m of name.matchAll(/\d+/g)) {
    texts.push(name.slice(last, m.index));
    nums.push(Number(m[0]));
    last = m.index! + m[0].length;
  }
  texts.push(name.slice(last));
  return { texts, nums };
}

/** 0,1,2,3 -> "0-3"; 0,2,4 -> "0,2,4"; one value -> itself */
function rangeText(values: number[]): string {
  const u = [...new Set(values)].sort((a, b) => a - b);
  if (u.length === 1) return String(u[0]);
  if (u[u.length - 1] - u[0] === u.length - 1) return `${u[0]}-${u[u.length - 1]}`;
  return u.length <= 6 ? u.join(',') : `${u[0]}-${u[u.length - 1]} (${u.length} values)`;
}

/** "key" and "value" after a common ".": ".key/value" */
function alternatives(words: string[]): string {
  const u = [...new Set(words)];
  if (u.length === 1) return u[0];
  let pre = 0;
  while (u.every((w) => w.length > pre && w[pre] === u[0][pre])) pre++;
  let suf = 0;
  while (u.every((w) => w.length - pre > suf && w[w.length - 1 - suf] === u[0][u[0].length - 1 - suf])) suf++;
  return `${u[0].slice(0, pre)}${u.map((w) => w.slice(pre, w.length - suf)).join('/')}${u[0].slice(u[0].length - suf)}`;
}

function labelOf(p: Proto, textsPerSlot: string[][]): string {
  let s = '';
  for (let i = 0; i < textsPerSlot.length; i++) {
    s += alternatives(textsPerSlot[i]);
    if (i < p.nums[0].length) s += rangeText(p.nums.map((n) => n[i]));
  }
  return s;
}

/**
 * Groups values by name pattern, dtype and dims, in the order of each group's first member; groups smaller
 * than GROUP_MIN are returned as one group per value (label = the name).
 */
export function groupIo(values: readonly IoValue[]): IoGroup[] {
  // 1. same text between the numbers, same dtype and dims
  const byTemplate = new Map<string, Proto>();
  const order: Proto[] = [];
  for (const v of values) {
    const { texts, nums } = split(v.name);
    const key = JSON.stringify([texts, v.dtype, v.dims]);
    let p = byTemplate.get(key);
    if (!p) {
      p = { texts, nums: [], dtype: v.dtype, dims: v.dims, members: [] };
      byTemplate.set(key, p);
      order.push(p);
    }
    p.nums.push(nums);
    p.members.push(v);
  }
  // 2. templates that differ in one text part only, with the same numbers, dtype and dims ("key" / "value")
  const merged: { protos: Proto[]; slot: number }[] = [];
  const used = new Set<Proto>();
  for (const p of order) {
    if (used.has(p)) continue;
    used.add(p);
    const group = { protos: [p], slot: -1 };
    if (p.texts.length > 1) {
      const numsKey = JSON.stringify(p.nums);
      for (const q of order) {
        if (used.has(q) || q.texts.length !== p.texts.length || q.dtype !== p.dtype) continue;
        if (JSON.stringify(q.dims) !== JSON.stringify(p.dims) || JSON.stringify(q.nums) !== numsKey) continue;
        const diff = p.texts.map((t, i) => (t === q.texts[i] ? -1 : i)).filter((i) => i >= 0);
        if (diff.length !== 1 || (group.slot >= 0 && diff[0] !== group.slot)) continue;
        group.slot = diff[0];
        group.protos.push(q);
        used.add(q);
      }
    }
    merged.push(group);
  }
  const out: { first: number; g: IoGroup }[] = [];
  const index = new Map(values.map((v, i) => [v, i]));
  for (const { protos } of merged) {
    const members = protos.flatMap((p) => p.members).sort((a, b) => index.get(a)! - index.get(b)!);
    if (members.length < GROUP_MIN) {
      for (const m of members)
        out.push({ first: index.get(m)!, g: { label: m.name, dtype: m.dtype, dims: m.dims, members: [m] } });
      continue;
    }
    const p = protos[0];
    const textsPerSlot = p.texts.map((_, i) => protos.map((q) => q.texts[i]));
    out.push({
      first: index.get(members[0])!,
      g: {
        label: labelOf({ ...p, nums: protos.flatMap((q) => q.nums) }, textsPerSlot),
        dtype: p.dtype,
        dims: p.dims,
        members,
      },
    });
  }
  return out.sort((a, b) => a.first - b.first).map((x) => x.g);
}
