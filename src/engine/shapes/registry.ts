// Op name -> inference function. Each file in ops/ registers one family when imported (ops/index.ts).
import type { InferFn } from './types';
import { opTable } from '../opTable';

const table = opTable<InferFn>();

export const register = table.register;
export const lookup = table.lookup;
