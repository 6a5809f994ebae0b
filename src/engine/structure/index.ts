// The transformer structure of a graph (see types.ts for what each field means): one detector for the report
// and every mapper.
export type {
  BlockRoles,
  MoeFacts,
  PatternResult,
  TransformerDims,
  TransformerPattern,
  TransformerSource,
  TransformerStructure,
} from './types';
export {
  activeParameterCount,
  describeTransformer,
  findTransformer,
  transformerDims,
  transformerStructure,
} from './pattern';
export { routeUnrolledExperts } from './moeCost';
