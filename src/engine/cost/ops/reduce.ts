// Costs for the reduce op family (registered on import).
export {};
