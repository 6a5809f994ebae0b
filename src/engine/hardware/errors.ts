// The error a bad or unknown hardware spec raises (caught per target: the report gets {"id", "error"}).
export class SpecError extends Error {}
