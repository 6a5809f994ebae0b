// What every UI test file drives in the real workbench: the code-server host (scripts/vscode-host/server.js), the
// profile editor's webview frame, the command palette, and opening a model from the Explorer. One copy, so a
// workbench change (a new selector, a slower start) is fixed once for all the UI suites.
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';

export interface Host {
  projectRoot(from?: string): string;
  startCodeServer(o?: {
    settings?: Record<string, unknown>;
    logFile?: string;
  }): Promise<{ port: number; url: string; chromium: string; stop(): Promise<void> }>;
  launchChromium(
    exe: string,
    size?: { width: number; height: number },
  ): Promise<{ browser: { close(): Promise<void> }; page: Page }>;
  workbenchUrl(
    server: { port: number; url: string },
    o: { folder?: string; extensionDevelopmentPath?: string },
  ): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const host: Host = require('../../scripts/vscode-host/server.js');

export const root = host.projectRoot(__dirname);
export const results = path.join(root, 'test-results');

/** One Chromium page on the workbench; screenshots go to test-results/<prefix><name>.png. */
export class Workbench {
  constructor(
    readonly page: Page,
    private readonly shotPrefix: string,
  ) {}

  async shot(name: string): Promise<void> {
    await this.page.screenshot({ path: path.join(results, `${this.shotPrefix}${name}.png`) });
  }

  /** The webview's inner frame showing `file`: the one whose #app carries that file name. */
  async profilerFrame(file: string, timeoutMs = 120_000): Promise<Frame> {
    const page = this.page;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const f of page.frames()) {
        try {
          if (await f.$(`#app[data-file="${file}"]`)) return f;
        } catch {
          /* frame detached while looking */
        }
      }
      await page.waitForTimeout(250);
    }
    await this.shot(`failure-no-webview-${file}`);
    throw new Error(`the profile editor webview for ${file} did not appear within ${timeoutMs / 1000} s`);
  }

  /** Waits until the extension's command `label` is in the palette (the extension host has activated it). */
  async untilInPalette(label: string, timeoutMs = 120_000): Promise<void> {
    const page = this.page;
    const view = page.viewportSize() ?? { width: 1400, height: 1000 };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await page
        .locator('.monaco-workbench')
        .click({ position: { x: Math.round(view.width / 2), y: Math.round(view.height / 2) } })
        .catch(() => undefined);
      await page.keyboard.press('F1');
      try {
        await page.locator('.quick-input-widget input').waitFor({ timeout: 5_000 });
        await page.keyboard.type(label);
        await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).waitFor({ timeout: 5_000 });
        await page.keyboard.press('Escape');
        return;
      } catch (e) {
        await page.keyboard.press('Escape');
        if (Date.now() > deadline) throw e;
      }
    }
  }

  async runCommand(label: string): Promise<void> {
    const page = this.page;
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
    await page.keyboard.type(label);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
  }

  /**
   * Opens a model by a click in the Explorer, retrying a click that lands before the custom editor is registered
   * (VS Code then shows its binary-file text editor: closed, clicked again). `ready` waits for what the caller needs.
   */
  async open(
    file: string,
    o: { timeoutMs?: number; ready?: (f: Frame) => Promise<void>; escapeFirst?: boolean } = {},
  ): Promise<Frame> {
    const page = this.page;
    const timeoutMs = o.timeoutMs ?? 120_000;
    if (o.escapeFirst) await page.keyboard.press('Escape');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: file });
    await row.waitFor({ timeout: 60_000 });
    for (let attempt = 1; ; attempt++) {
      await row.click();
      try {
        const f = await this.profilerFrame(file, attempt < 3 ? timeoutMs : 2 * timeoutMs);
        if (o.ready) await o.ready(f);
        return f;
      } catch (e) {
        const textEditor = await page.getByText('The file is not displayed in the text editor').count();
        if (attempt >= 3 || !textEditor) throw e;
        await page
          .locator('.tabs-container .tab.active .action-label.codicon-close')
          .click()
          .catch(() => undefined);
        await page.waitForTimeout(5_000);
      }
    }
  }
}

export interface Session {
  page: Page;
  wb: Workbench;
  /** Closes Chromium and stops code-server. */
  close(): Promise<void>;
}

/** code-server with the extension under development, Chromium on it, the workbench loaded on `folder`. */
export async function launchWorkbench(o: {
  folder: string;
  /** file name of code-server's log under test-results/ */
  log: string;
  shotPrefix: string;
  settings?: Record<string, unknown>;
  size?: { width: number; height: number };
}): Promise<Session> {
  const server = await host.startCodeServer({ logFile: path.join(results, o.log), settings: o.settings });
  try {
    const b = await host.launchChromium(server.chromium, o.size ?? { width: 1500, height: 1000 });
    const close = async (): Promise<void> => {
      await b.browser.close().catch(() => undefined);
      await server.stop();
    };
    try {
      await b.page.goto(host.workbenchUrl(server, { folder: o.folder, extensionDevelopmentPath: root }));
      await b.page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    } catch (e) {
      await close();
      throw e;
    }
    return { page: b.page, wb: new Workbench(b.page, o.shotPrefix), close };
  } catch (e) {
    await server.stop();
    throw e;
  }
}
