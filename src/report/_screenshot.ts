/** Opening a page in headless Chromium and taking a screenshot (for checking the report). */

/**
 * What {@link renderInChromium} did.
 */
export type ScreenshotResult =
  | { ok: true; png: string; bytes: number; browser: string }
  | { ok: false; reason: string };

/**
 * The flags every headless Chromium run here uses: no sandbox (containers), no GPU, and nothing
 * that reaches the network on its own (background updates, sync, QUIC). Add a fresh
 * `--user-data-dir`.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/**
 * The first Chromium found (`$CHROMIUM` first), or undefined.
 */
export function findChromium(): string | undefined {
  const env = Deno.env.get("CHROMIUM");
  for (const p of env ? [env, ...CANDIDATES] : CANDIDATES) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch { /* not there */ }
  }
  return undefined;
}

/**
 * Renders the HTML file `page` in headless Chromium (no network, throwaway profile) and writes
 * a PNG screenshot to `png`. Returns `{ ok: false, reason }` when Chromium is missing or fails.
 */
export async function renderInChromium(
  page: string,
  png: string,
  size: { width: number; height: number } = { width: 1200, height: 2000 },
): Promise<ScreenshotResult> {
  const browser = findChromium();
  if (!browser) {
    return { ok: false, reason: "chromium not found (Debian: apt-get install -y chromium)" };
  }
  const profile = await Deno.makeTempDir({ prefix: "report-chromium-" });
  const abs = (p: string) => p.startsWith("/") ? p : `${Deno.cwd()}/${p}`;
  try {
    const cmd = new Deno.Command(browser, {
      args: [
        ...CHROMIUM_FLAGS,
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        `--screenshot=${abs(png)}`,
        `--window-size=${size.width},${size.height}`,
        `file://${abs(page)}`,
      ],
      stdout: "piped",
      stderr: "piped",
    });
    const out = await cmd.output();
    let bytes = 0;
    try {
      bytes = (await Deno.stat(abs(png))).size;
    } catch { /* no file */ }
    if (!out.success || bytes === 0) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
      return { ok: false, reason: `chromium exited with ${out.code}: ${err}` };
    }
    return { ok: true, png: abs(png), bytes, browser };
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}
