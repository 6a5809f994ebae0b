// Costs for the tensor op family (registered on import).
export {};
