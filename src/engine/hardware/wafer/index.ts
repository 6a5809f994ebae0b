// Wafer-scale (Cerebras WSE-2/WSE-3) target: registers the wafer mapper, its spec validator and the built-in specs.
import { registerBuiltinSpec, registerMapper } from '../index';
import { mapWafer } from './mapper';
import { validateWaferSpec } from './spec';
import wse2 from './specs/wse2.json';
import wse3 from './specs/wse3.json';

export const BUILTIN_WAFER_SPECS: Record<string, unknown>[] = [wse2, wse3];

for (const s of BUILTIN_WAFER_SPECS) {
  validateWaferSpec(s as Record<string, unknown>, `built-in spec ${String((s as { id?: unknown }).id)}`);
  registerBuiltinSpec(s as Record<string, unknown>);
}
registerMapper('wafer', mapWafer, validateWaferSpec);
