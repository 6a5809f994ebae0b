// Shape inference for the control op family (registered on import).
export {};
