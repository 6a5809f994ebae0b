// Costs for the norm op family (registered on import).
export {};
