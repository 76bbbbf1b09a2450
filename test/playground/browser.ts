// Helpers of the playground's browser tests: build and serve the page, launch
// Debian's Chromium through playwright-core, save screenshots under
// test-output/playground/.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { buildPlayground, servePlayground, type PlaygroundServer } from "../../playground/serve.ts";

export const SCREENSHOT_DIR = fileURLToPath(new URL("../../test-output/playground/", import.meta.url));
const CHROMIUM = process.env.NWC_CHROMIUM ?? "/usr/bin/chromium";

export interface Session {
  /** The playground's server; undefined for a page another server serves (openPage). */
  server: PlaygroundServer | undefined;
  browser: Browser;
  page: Page;
  /** Page errors and console errors seen so far. */
  errors: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * `query` may be a function of the started server: the dashboard test starts
 * `nwc dev` only once it knows the page's origin, to allow that origin.
 */
export async function openPlayground(options: { devUrl?: string; query?: string | ((server: PlaygroundServer) => Promise<string>) } = {}): Promise<Session> {
  await buildPlayground({ log: (l) => console.log(l) });
  const server = await servePlayground({ port: 0, ...(options.devUrl ? { devUrl: options.devUrl } : {}) });
  try {
    const query = typeof options.query === "function" ? await options.query(server) : (options.query ?? "");
    return await openPage(server.url + query, server);
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Opens `url` (a page some server already serves: `nwc dev` serves the dashboard) in Chromium; closing the session closes `server` too. */
export async function openPage(url: string, server?: PlaygroundServer): Promise<Session> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set NWC_CHROMIUM to its path`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
  const page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  try {
    await page.goto(url);
  } catch (error) {
    await browser.close();
    throw error;
  }
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    server, browser, page, errors,
    async screenshot(name) {
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close();
      await server?.close();
    },
  };
}

/** Replaces the editor's whole text as a paste would (no auto-closed brackets or auto-indent). */
export async function setEditorText(page: Page, text: string): Promise<void> {
  await page.click(".cm-content");
  await page.keyboard.press("Control+A");
  await page.keyboard.insertText(text);
}
