// Analysis once, mapping many: a cache of profiles for the long-lived callers (the editor's engine worker and
// the language server). A file's model is kept while its content identity (path + size + mtime) holds; its
// analyses are keyed on the symbolic-dim bindings (and useDeclared); each target's mapping is keyed on the
// spec's identity and the run options its kind reads (mappingKey). So a knob that only changes mapping
// (tp, systems, nodes, execution, ...) re-maps only the targets whose kind reads it, and reads and analyses nothing.
import * as fs from 'fs';
import { allFinite } from './finite';
import type { Model } from './onnx/ir';
import { readModelFile } from './onnx/reader';
import { loadSpec, mapTarget, mappingKey } from './hardware';
import type { Analysis, TargetOutcome } from './hardware/types';
import type { RunOptions } from './options';
import {
  analyse,
  bindingsFor,
  checkOptionLimits,
  modelReport,
  profileAnalysis,
  type Profile,
  type Report,
} from './profile';

/** What one cached profile run did (tests and the bench read it). */
export interface CacheUse {
  /** the model was read from disk (new file, or its size/mtime changed) */
  read: boolean;
  /** shapes/costs/layers were computed (new bindings) */
  analysed: boolean;
  /** the targets mapped in this run (the others came from the cache) */
  mapped: string[];
}

interface CachedOutcome {
  outcome: TargetOutcome;
  /** no non-finite number and no array string written from one anywhere in it: finiteReport changes nothing
   * below its top level, so its nested values can be shared instead of copied */
  clean: boolean;
}

interface AnalysisEntry {
  analysis: Analysis;
  reports: Map<boolean, Report>;
  /** mappingKey -> outcome */
  mappings: Map<string, CachedOutcome>;
}

/** A cached outcome for one profile: the comparison and mapAndCompare add top-level fields and notes to the
 * targets they are given, so a clean outcome is copied at the top and its notes; any other is copied whole. */
function outcomeCopy(c: CachedOutcome): TargetOutcome {
  if (!c.clean) return structuredClone(c.outcome);
  const o = c.outcome as TargetOutcome & { notes?: string[] };
  return (o.notes ? { ...o, notes: o.notes.slice() } : { ...o }) as TargetOutcome;
}

interface ModelEntry {
  identity: string;
  model: Model;
  analyses: Map<string, AnalysisEntry>;
}

/** Least-recently-used insert: re-inserting moves a key last; the first key is the oldest. */
function touch<K, V>(m: Map<K, V>, k: K, v: V, max: number): void {
  m.delete(k);
  m.set(k, v);
  while (m.size > max) m.delete(m.keys().next().value as K);
}

export class ProfileCache {
  private readonly models = new Map<string, ModelEntry>();

  /** limits bound the memory: a 70B-parameter graph's analysis is tens of MB */
  constructor(
    private readonly maxModels = 2,
    private readonly maxAnalysesPerModel = 3,
    private readonly maxMappingsPerAnalysis = 64,
  ) {}

  /** Profiles a model file, re-reading it only when its path, size or mtime changed. */
  profileFile(file: string, opts: RunOptions): { profile: Profile; use: CacheUse } {
    const { entry, read } = this.fileEntry(file);
    const r = this.profileEntry(entry, opts);
    return { profile: r.profile, use: { ...r.use, read } };
  }

  /** The file's model and its analysis under the options' bindings, not mapped (the graph view). */
  analyseFile(file: string, opts: RunOptions): { model: Model; analysis: Analysis } {
    const { entry } = this.fileEntry(file);
    return { model: entry.model, analysis: this.analysisEntry(entry, opts).entry.analysis };
  }

  private fileEntry(file: string): { entry: ModelEntry; read: boolean } {
    const st = fs.statSync(file);
    const identity = `${st.size}\0${st.mtimeMs}`;
    let entry = this.models.get(file);
    const read = !entry || entry.identity !== identity;
    if (!entry || read) entry = { identity, model: readModelFile(file), analyses: new Map() };
    touch(this.models, file, entry, this.maxModels);
    return { entry, read };
  }

  private analysisEntry(entry: ModelEntry, opts: RunOptions): { entry: AnalysisEntry; analysed: boolean } {
    const bindings = bindingsFor(entry.model, opts);
    const useDeclared = opts.useDeclared ?? true;
    const akey = `${useDeclared}\0${JSON.stringify(bindings, Object.keys(bindings).sort())}`;
    let a = entry.analyses.get(akey);
    const analysed = !a;
    if (!a) a = { analysis: analyse(entry.model, bindings, useDeclared), reports: new Map(), mappings: new Map() };
    touch(entry.analyses, akey, a, this.maxAnalysesPerModel);
    return { entry: a, analysed };
  }

  /** Profiles a model already in memory (the language server's view); `key` names it (its URI). */
  profileModel(key: string, model: Model, opts: RunOptions): { profile: Profile; use: CacheUse } {
    let entry = this.models.get(key);
    const read = !entry || entry.model !== model;
    if (!entry || read) entry = { identity: '', model, analyses: new Map() };
    touch(this.models, key, entry, this.maxModels);
    const r = this.profileEntry(entry, opts);
    return { profile: r.profile, use: { ...r.use, read } };
  }

  /** Forgets a file or model (closed, deleted). */
  forget(key: string): void {
    this.models.delete(key);
  }

  private profileEntry(entry: ModelEntry, opts: RunOptions): { profile: Profile; use: CacheUse } {
    checkOptionLimits(opts);
    const { entry: a, analysed } = this.analysisEntry(entry, opts);
    let base = a.reports.get(opts.shapes);
    if (!base) {
      base = modelReport(a.analysis, opts.shapes);
      a.reports.set(opts.shapes, base);
    }
    const mapped: string[] = [];
    const cached = a;
    const profile = profileAnalysis(
      a.analysis,
      opts,
      (target, mo) => {
        let spec;
        try {
          spec = loadSpec(target);
        } catch (e) {
          return { id: target, error: (e as Error).message };
        }
        const mkey = mappingKey(spec, mo);
        // a copy each time: the comparison adds notes and figures to the targets it is given
        const hit = cached.mappings.get(mkey);
        if (hit) return outcomeCopy(hit);
        let out: TargetOutcome;
        try {
          out = mapTarget(spec, cached.analysis, mo);
        } catch (e) {
          out = { id: target, error: (e as Error).message };
        }
        mapped.push(target);
        const entry: CachedOutcome = { outcome: out, clean: allFinite(out) };
        touch(cached.mappings, mkey, entry, this.maxMappingsPerAnalysis);
        return outcomeCopy(entry);
      },
      base,
    );
    return { profile, use: { read: false, analysed, mapped } };
  }
}
