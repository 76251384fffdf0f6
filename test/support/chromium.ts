/**
 * The Chromium the browser tests drive: `CHROMIUM_PATH` when set, else the system's (/usr/bin/chromium, as
 * Debian installs it), else the build shipped inside the `@sparticuz/chromium` npm package, so that
 * `npm install && npm test` needs nothing but Node.js and npm.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const SYSTEM_CHROMIUM = "/usr/bin/chromium";

async function executablePath(): Promise<string> {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  // Unpacks its brotli-compressed build (and the libraries it needs) into the temporary directory once.
  const { default: packaged } = await import("@sparticuz/chromium");
  return packaged.executablePath();
}

/** Headless Chromium with nothing that reaches beyond this machine (no background networking, no updates). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: await executablePath(),
    headless: true,
    args: [
      "--no-sandbox",
      "--no-zygote",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
