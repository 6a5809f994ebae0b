// Power and price per system (wafer) or node (GPU), read from the spec's `economics` block (numbers with
// their sources in the spec's `sources`), with the user's price overrides on top. A missing, zero or
// negative number is refused with the field named; nothing here guesses a number.
import { fmtUsd } from '../format/units';

export class EconomicsError extends Error {}

export interface Economics {
  unit: 'system' | 'node';
  /** whole-system watts per system/node */
  wattsPerUnit: number;
  includes: string[];
  powerSource: string;
  usdPerHourPerUnit: number;
  priceSource: string;
}

type Spec = Record<string, unknown>;

function sourceOf(spec: Spec, path: string): string {
  const s = spec.sources as Record<string, string> | undefined;
  return (s && typeof s[path] === 'string' && s[path]) || 'no source given in the spec';
}

/** A positive finite number at spec[path...], or an EconomicsError naming the field. */
function positive(spec: Spec, id: string, path: string): number {
  const v = path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), spec);
  if (v === undefined || v === null) throw new EconomicsError(`${id}: field '${path}' is missing`);
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new EconomicsError(`${id}: field '${path}' must be a number, got ${JSON.stringify(v)}`);
  if (v <= 0) throw new EconomicsError(`${id}: field '${path}' must be greater than 0, got ${v}`);
  return v;
}

/** Checks a price override (flag or setting): a finite number greater than 0. */
export function checkPrice(id: string, usd: unknown, where: string): number {
  if (typeof usd !== 'number' || !Number.isFinite(usd))
    throw new EconomicsError(
      `${where}: price for '${id}' must be a number of USD per hour, got ${JSON.stringify(usd)}`,
    );
  if (usd <= 0) throw new EconomicsError(`${where}: price for '${id}' must be greater than 0, got ${usd}`);
  return usd;
}

/** Power of one system/node. GPU: the node's maximum input power (GPUs, CPUs, NICs, switches). Wafer: the CS
 * system plus its share of the cluster around it (MemoryX, SwarmX, worker servers). */
export function powerOf(spec: Spec): { wattsPerUnit: number; includes: string[]; source: string } {
  const id = String(spec.id ?? 'spec');
  if (spec.kind === 'wafer') {
    const cs = positive(spec, id, 'systemPower_kW');
    const support = positive(spec, id, 'economics.supportPower_kW');
    return {
      wattsPerUnit: (cs + support) * 1e3,
      includes: ['accelerators', 'hosts', 'network', 'memoryx', 'swarmx'],
      source: `CS system ${cs} kW (${sourceOf(spec, 'systemPower_kW')}) + cluster support ${support} kW (${sourceOf(spec, 'economics.supportPower_kW')})`,
    };
  }
  const kw = positive(spec, id, 'economics.nodePower_kW');
  const inc = (spec.economics as Record<string, unknown>).nodePowerIncludes;
  return {
    wattsPerUnit: kw * 1e3,
    // a comma-separated string (a spec's arrays are tables of numbers)
    includes: typeof inc === 'string' ? inc.split(/\s*,\s*/).filter(Boolean) : ['accelerators'],
    source: `${kw} kW per node (${sourceOf(spec, 'economics.nodePower_kW')})`,
  };
}

export function economicsOf(spec: Spec, prices: Record<string, number> = {}): Economics {
  const id = String(spec.id ?? 'spec');
  const wafer = spec.kind === 'wafer';
  const p = powerOf(spec);
  const field = wafer ? 'economics.systemPrice_usdPerHour' : 'economics.nodePrice_usdPerHour';
  let usd: number, priceSource: string;
  if (prices[id] !== undefined) {
    usd = checkPrice(id, prices[id], 'price override');
    priceSource = `override: ${fmtUsd(usd)}/h per ${wafer ? 'system' : 'node'}`;
  } else {
    usd = positive(spec, id, field);
    const date = (spec.economics as Record<string, unknown> | undefined)?.priceDate;
    priceSource = `${fmtUsd(usd)}/h per ${wafer ? 'system' : 'node'}${typeof date === 'string' ? ` (${date})` : ''}: ${sourceOf(spec, field)}`;
  }
  return {
    unit: wafer ? 'system' : 'node',
    wattsPerUnit: p.wattsPerUnit,
    includes: p.includes,
    powerSource: p.source,
    usdPerHourPerUnit: usd,
    priceSource,
  };
}

/** Validates an `economics` block that a spec file carries (a user spec without one is allowed: its
 * energy and cost are then reported as unknown, with the field named). */
export function validateEconomics(spec: Spec, where: string): void {
  const e = spec.economics;
  if (e === undefined) return;
  if (typeof e !== 'object' || e === null || Array.isArray(e))
    throw new EconomicsError(`${where}: field 'economics' must be an object`);
  const fields =
    spec.kind === 'wafer'
      ? ['economics.supportPower_kW', 'economics.systemPrice_usdPerHour']
      : ['economics.nodePower_kW', 'economics.nodePrice_usdPerHour'];
  for (const f of fields) positive(spec, where, f);
}
