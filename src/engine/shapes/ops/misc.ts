// Shape inference for the misc op family (registered on import).
export {};
