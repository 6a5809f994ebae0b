// Shape inference for the tensor (data movement) op family, registered on import. Split by kind:
// layout (Reshape, Transpose, ...), slicing (Concat, Split, Slice, Pad, Expand, Tile), generate
// (Shape, Size, ConstantOfShape, Range, EyeLike), indexing (Gather/Scatter families, TopK, ...),
// resample (Resize, Upsample, GridSample, AffineGrid, Col2Im).
import './tensor/layout';
import './tensor/slicing';
import './tensor/generate';
import './tensor/indexing';
import './tensor/resample';
