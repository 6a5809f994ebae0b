// The error a bad or unknown hardware spec raises (caught per target: the report gets {"id", "error"}).
export class SpecError extends Error {}

/** A parallel plan the hardware cannot run as asked (a TP that does not divide the heads, a CP that does not
 * divide the sequence, an EP that does not divide the experts): bad usage, refused with the reason (the CLI
 * exits 2), never replaced by another plan. */
export class PlanRefusal extends Error {}
