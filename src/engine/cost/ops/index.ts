// The cost rule table: every op family's cost rules (same families as shapes/ops), in one stated order (a later
// rule for the same op replaces an earlier one).
import { opTableOf, type OpTable } from '../../opTable';
import type { CostFn } from '../types';
import { elementwiseCosts } from './elementwise';
import { controlCosts } from './control';
import { tensorCosts } from './tensor';
import { nnCosts } from './nn';
import { moeCosts } from './moe';
import { reduceCosts } from './reduce';
import { normCosts } from './norm';
import { recurrentCosts } from './recurrent';
import { miscCosts } from './misc';

export const COST_RULES: OpTable<CostFn> = opTableOf([
  ...elementwiseCosts,
  ...controlCosts,
  ...tensorCosts,
  ...nnCosts,
  ...moeCosts,
  ...reduceCosts,
  ...normCosts,
  ...recurrentCosts,
  ...miscCosts,
]);
