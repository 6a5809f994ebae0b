// Op name -> cost function. Each file in ops/ registers one family when imported (ops/index.ts).
import type { CostFn } from './types';
import { opTable } from '../opTable';

const table = opTable<CostFn>();

export const registerCost = table.register;
export const lookupCost = table.lookup;
