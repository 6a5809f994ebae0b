// Costs for the recurrent op family (registered on import).
export {};
