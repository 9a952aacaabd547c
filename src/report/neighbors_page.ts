/**
 * The nearest-neighbours page: the query image and its k nearest rows as thumbnails with rank,
 * cosine similarity, key and label; one self-contained HTML file (images as PNG data URLs, inline
 * style, no scripts or network requests), like the run report.
 */
import { escapeHtml } from "./escape.ts";
import { pngDataUrl } from "./png.ts";
import { REPORT_CSS } from "./style.ts";

/**
 * An image for the page: 8-bit HWC pixels (or `undefined` when it could not be read, with why).
 *
 * @example
 * ```ts
 * const t: Thumbnail = { width: 28, height: 28, channels: 1, data: new Uint8Array(784) };
 * ```
 */
export type Thumbnail =
  | { width: number; height: number; channels: 1 | 3; data: Uint8Array }
  | { missing: string };

/**
 * One neighbour as the page shows it.
 *
 * @example
 * ```ts
 * const n: NeighborEntry = { rank: 1, key: "a.png", similarity: 0.93, thumbnail: { missing: "gone" } };
 * ```
 */
export interface NeighborEntry {
  rank: number;
  key: string;
  similarity: number;
  /** Class name or index, when known. */
  label?: string;
  thumbnail: Thumbnail;
}

/**
 * What {@link renderNeighborsPage} shows.
 *
 * @example
 * ```ts
 * const page: NeighborsPage = { title: "Neighbours", query: { key: "q.png", thumbnail }, neighbors: [] };
 * ```
 */
export interface NeighborsPage {
  title: string;
  /** A line under the title (embedding, run, how many rows were searched). */
  subtitle?: string;
  query: { key: string; label?: string; thumbnail: Thumbnail };
  neighbors: NeighborEntry[];
}

function figure(t: Thumbnail, caption: string, cls: string): string {
  const img = "missing" in t
    ? `<div class="nn-missing">${escapeHtml(t.missing)}</div>`
    : `<img src="${pngDataUrl(t.data, t.width, t.height, t.channels)}" width="${t.width}" ` +
      `height="${t.height}" alt="">`;
  return `<figure class="${cls}">${img}<figcaption>${caption}</figcaption></figure>`;
}

const PAGE_CSS = `
.nn-grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(150px,1fr)); gap:12px; }
figure { margin:0; background:var(--card); border:1px solid var(--line); border-radius:10px;
  padding:10px; text-align:center; }
figure img { width:128px; height:128px; object-fit:contain; image-rendering:pixelated;
  background:#111; border-radius:4px; }
figure.nn-query { max-width:220px; border-color:var(--blue); }
figcaption { font-size:12px; color:var(--muted); margin-top:6px; word-break:break-all; }
figcaption b { color:var(--fg); font-variant-numeric:tabular-nums; }
.nn-missing { width:128px; height:128px; margin:0 auto; display:flex; align-items:center;
  justify-content:center; font-size:11px; color:var(--red); border:1px dashed var(--line); }
`;

/**
 * The page as one HTML string.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("neighbors.html", renderNeighborsPage(page));
 * ```
 */
export function renderNeighborsPage(page: NeighborsPage): string {
  const label = (l?: string) => (l === undefined ? "" : `<br>label ${escapeHtml(l)}`);
  const query = figure(
    page.query.thumbnail,
    `query<br>${escapeHtml(page.query.key)}${label(page.query.label)}`,
    "nn-query",
  );
  const hits = page.neighbors.map((n) =>
    figure(
      n.thumbnail,
      `<b>#${n.rank} · ${n.similarity.toFixed(4)}</b><br>${escapeHtml(n.key)}${label(n.label)}`,
      "nn-hit",
    )
  ).join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>${REPORT_CSS}${PAGE_CSS}</style></head>
<body><main>
<h1>${escapeHtml(page.title)}</h1>
${page.subtitle ? `<p class="sub">${escapeHtml(page.subtitle)}</p>` : ""}
${query}
<h2>${page.neighbors.length} nearest by cosine similarity</h2>
<div class="nn-grid">
${hits}
</div>
<footer>Self-contained page: no scripts, fonts or network requests.</footer>
</main></body></html>
`;
}
