// Costs for the nn op family (registered on import).
export {};
