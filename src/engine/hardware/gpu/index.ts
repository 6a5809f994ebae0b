// GPU-cluster mapping: registers the gpu-cluster mapper and built-in GPU specs.
export {};
