// UI test of a measured profile in the real VS Code workbench (code-server + Debian's Chromium, playwright-core):
// a writer-built CNN is run in onnxruntime (onnxruntime-node, CPU, one thread, profiling on), the model is opened
// by a click in the Explorer, and its profile is imported with "ONNX Profiler: Import Measured Profile" through
// the file dialog, as a user would. The measured view must show the prediction of a CPU device target (the
// generic Xeon spec, on as many cores as the profile ran threads), per kernel and in total, with the ratio.
// Screenshots: test-results/ui-measured-*.png. Run: npm run test:ui.
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { cnnModel } from '../fixtures/cnn';
import { cnnFeeds, loadOrt, ortProfileFile } from '../fixtures/ort';
import { launchWorkbench, results, type Session, type Workbench } from './driver';

const ort = loadOrt();

let session: Session | undefined;
let page: Page;
let wb: Workbench;
const shot = (name: string): Promise<void> => wb.shot(name);
const untilInPalette = (label: string): Promise<void> => wb.untilInPalette(label);
const runCommand = (label: string): Promise<void> => wb.runCommand(label);
const open = (file: string): Promise<Frame> => wb.open(file);
let frame: Frame;
let workspace: string;
let profile: string;

describe(
  'measured profile in the VS Code workbench',
  { timeout: 600_000, skip: ort ? false : 'onnxruntime-node is not installed (npm ci installs it)' },
  () => {
    before(async () => {
      fs.mkdirSync(results, { recursive: true });
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-profiler-measured-ui-'));
      const model = path.join(workspace, 'cnn.onnx');
      fs.writeFileSync(model, cnnModel());
      profile = path.join(workspace, 'cnn-ort-profile.json');
      fs.copyFileSync(await ortProfileFile(ort!, model, cnnFeeds(ort!), 1, 3), profile);
      session = await launchWorkbench({
        folder: workspace,
        log: 'code-server-measured-ui.log',
        shotPrefix: 'ui-measured-',
      });
      ({ page, wb } = session);
    });

    after(async () => {
      await session?.close();
      if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
    });

    it('imports a real onnxruntime CPU profile through the file dialog and shows predicted vs measured', async () => {
      await untilInPalette('ONNX Profiler: Profile Model');
      frame = await open('cnn.onnx');
      await frame.waitForSelector('section.target', { timeout: 120_000 });
      await runCommand('ONNX Profiler: Import Measured Profile');
      // the workbench's own file dialog (a quick input holding a path): type the profile's path and accept
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: 20_000 });
      await input.fill(profile);
      await page.waitForTimeout(500);
      await page.keyboard.press('Enter');
      // on a loaded machine the dialog can still be completing the typed path when Enter lands (then it stays
      // open): accept again while it is open, until the import shows
      const total = frame.locator('#measured-total');
      for (let i = 0; i < 5; i++) {
        const shown = await total
          .waitFor({ timeout: 15_000 })
          .then(() => true)
          .catch(() => false);
        if (shown) break;
        if (await input.isVisible()) {
          await input.fill(profile);
          await page.waitForTimeout(500);
          await page.keyboard.press('Enter');
        }
      }
      await total.waitFor({ timeout: 60_000 }).catch(async (e) => {
        await shot('failure-no-measured-total');
        throw e;
      });
      const text = (await total.textContent()) ?? '';
      assert.match(
        text,
        /Matched kernels: measured [\d.,]+ (ns|µs|ms|s), predicted [\d.,]+ (ns|µs|ms|s): measured \/ predicted [\d.,]+×/,
      );
      const prediction = (await frame.textContent('#measured-prediction')) ?? '';
      assert.match(
        prediction,
        /Predicted on Intel Xeon Platinum 8480\+ .*\[cpu-xeon-8480\], 1 core\(s\) \(the profile ran 1 thread\(s\)\), fp32/,
      );
      assert.match(prediction, /generic server CPU spec/);
      // every matched kernel has a predicted time and a ratio; the footer carries the totals
      const rows = frame.locator('section.measured tbody tr');
      const n = await rows.count();
      assert.ok(n > 10, `${n} kernels listed`);
      let predicted = 0;
      for (let i = 0; i < n; i++) {
        const cells = await rows.nth(i).locator('td').allTextContents();
        if (cells[5] !== 'inserted by onnxruntime' && cells[5] !== 'not matched') {
          assert.match(cells[3]!, /[\d.]+ (ns|µs|ms|s)/, `${cells[0]} predicted`);
          assert.match(cells[4]!, /×$/, `${cells[0]} ratio`);
          predicted++;
        }
      }
      assert.ok(predicted > 10, `${predicted} kernels predicted`);
      assert.match((await frame.textContent('section.measured tfoot')) ?? '', /total of the matched kernels/);
      const picker = frame.locator('select[data-knob="measured-spec"]');
      assert.equal(await picker.inputValue(), 'cpu-xeon-8480');
      await frame.locator('section.measured').scrollIntoViewIfNeeded();
      await shot('1-cpu-profile');
    });

    it('shows the CPU device target picked with Select Target Hardware as a strip of its layers', async () => {
      await runCommand('ONNX Profiler: Select Target Hardware');
      await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
      await page.keyboard.type('Xeon Platinum');
      // click the Xeon row itself (Enter right after typing can land before the list has filtered)
      const xeon = page.locator('.quick-input-list .monaco-list-row', { hasText: 'cpu-xeon-8480' }).first();
      await xeon.waitFor({ timeout: 10_000 });
      await xeon.click();
      const strip = frame.locator('section.target[data-target="cpu-xeon-8480"] canvas.heatmap-canvas.device');
      await strip.waitFor({ timeout: 120_000 }).catch(async (e) => {
        await shot('failure-no-cpu-strip');
        throw e;
      });
      const panel = frame.locator('section.target[data-target="cpu-xeon-8480"]');
      const text = (await panel.textContent()) ?? '';
      assert.match(text, /one CPU socket \(56 of 56 cores\)/);
      assert.match(text, /layers one after another/);
      await strip.scrollIntoViewIfNeeded();
      const box = (await strip.boundingBox())!;
      await page.mouse.move(box.x + 5, box.y + box.height / 2);
      await frame.waitForSelector('#tooltip:not([hidden])', { timeout: 10_000 });
      assert.match((await frame.textContent('#tooltip')) ?? '', /roofline.*dispatch/);
      await shot('2-cpu-target');
    });
  },
);
