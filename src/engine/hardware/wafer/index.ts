// Wafer-scale (Cerebras WSE-2/WSE-3) mapping: registers the wafer mapper and built-in wafer specs.
export {};
