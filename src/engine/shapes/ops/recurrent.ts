// Shape inference for the recurrent op family (registered on import).
export {};
