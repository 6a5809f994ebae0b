// Shape inference for the nn op family (registered on import).
export {};
