// Work that can wait until the frame with the heatmaps is on screen (the charts, the layer table): queued
// here and run after the next paint, one job per task so that input (a hover) is handled between them.
// A profile's first frame then carries only the summary, the controls and the heatmaps.
// flushAfterPaint() runs the whole queue at once, for a request that must see the whole page.
const jobs = new Set<() => void>();
/** id of the scheduled run, 0 when none is scheduled */
let scheduled = 0;
let nextRun = 0;

/** Runs `job` after the next paint (once, however often it is queued before it runs). */
export function afterPaint(job: () => void): void {
  jobs.add(job);
  if (scheduled) return;
  const run = (scheduled = ++nextRun);
  // a task queued from requestAnimationFrame runs after that frame's style, layout and paint
  requestAnimationFrame(() => setTimeout(() => runOne(run), 0));
}

function runOne(run: number): void {
  if (scheduled !== run) return;
  const [job] = jobs;
  if (job) {
    jobs.delete(job);
    job();
  }
  if (jobs.size) setTimeout(() => runOne(run), 0);
  else if (scheduled === run) scheduled = 0;
}

export function flushAfterPaint(): void {
  scheduled = 0;
  while (jobs.size) {
    const [job] = jobs;
    jobs.delete(job);
    job();
  }
}

/** Whether queued work has not run yet. */
export function paintPending(): boolean {
  return jobs.size > 0;
}
