/**
 * The nearest-neighbours page: the query image and its k nearest rows as thumbnails with rank,
 * cosine similarity, key and label; one self-contained HTML file (images as PNG data URLs, inline
 * style, no scripts or network requests), like the run report.
 */
import { escapeHtml } from "./_escape.ts";
import { pngDataUrl } from "./_png.ts";
import { REPORT_CSS } from "./_style.ts";

/**
 * An image for the page: 8-bit HWC pixels, or `{ missing }` saying why it could not be read.
 *
 * @example A thumbnail and a missing one
 * ```ts
 * import { renderNeighborsPage, type Thumbnail } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const gray: Thumbnail = { width: 2, height: 2, channels: 1, data: new Uint8Array(4) };
 * const gone: Thumbnail = { missing: "file not found" };
 * const html = renderNeighborsPage({
 *   title: "t", query: { key: "q.png", thumbnail: gray },
 *   neighbors: [{ rank: 1, key: "a.png", similarity: 0.5, thumbnail: gone }],
 * });
 * assert.ok(html.includes("data:image/png;base64,"));
 * assert.ok(html.includes("file not found"));
 * ```
 */
export type Thumbnail =
  | { width: number; height: number; channels: 1 | 3; data: Uint8Array }
  | { missing: string };

/**
 * One neighbour as the page shows it: rank, key, cosine similarity, label and thumbnail.
 *
 * @example A neighbour's caption
 * ```ts
 * import { type NeighborEntry, renderNeighborsPage } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const n: NeighborEntry = {
 *   rank: 1, key: "a.png", similarity: 0.93, label: "cat", thumbnail: { missing: "gone" },
 * };
 * const html = renderNeighborsPage({
 *   title: "t", query: { key: "q.png", thumbnail: { missing: "gone" } }, neighbors: [n],
 * });
 * assert.ok(html.includes("#1 · 0.9300"));
 * assert.ok(html.includes("label cat"));
 * ```
 */
export interface NeighborEntry {
  /** 1-based rank, most similar first. */
  rank: number;
  /** The neighbour's key (file path or dataset index). */
  key: string;
  /** Cosine similarity to the query. */
  similarity: number;
  /** Class name or index, when known. */
  label?: string;
  /** Its image. */
  thumbnail: Thumbnail;
}

/**
 * What {@link renderNeighborsPage} shows: a title, the query image and its neighbours.
 *
 * @example A page with no neighbours
 * ```ts
 * import { type NeighborsPage, renderNeighborsPage } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const page: NeighborsPage = {
 *   title: "Neighbours of q.png", subtitle: "photos.npy, 3 rows",
 *   query: { key: "q.png", thumbnail: { missing: "not decoded" } }, neighbors: [],
 * };
 * const html = renderNeighborsPage(page);
 * assert.ok(html.includes("<title>Neighbours of q.png</title>"));
 * assert.ok(html.includes("0 nearest by cosine similarity"));
 * ```
 */
export interface NeighborsPage {
  /** Page title and heading. */
  title: string;
  /** A line under the title (embedding, run, how many rows were searched). */
  subtitle?: string;
  /** The query image, its key and label. */
  query: { key: string; label?: string; thumbnail: Thumbnail };
  /** The neighbours, most similar first. */
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
 * The nearest-neighbours page as one self-contained HTML string (what
 * `deno task neighbors --html` writes). Keys and labels are HTML-escaped.
 *
 * @param page The query and its neighbours.
 * @returns The HTML page.
 *
 * @example Writing a page with two neighbours
 * ```ts
 * import { renderNeighborsPage } from "@simclr/streams/report";
 * import assert from "node:assert/strict";
 *
 * const px = (v: number) => ({
 *   width: 2, height: 2, channels: 1 as const, data: new Uint8Array(4).fill(v),
 * });
 * const html = renderNeighborsPage({
 *   title: "Neighbours",
 *   query: { key: "q<1>.png", thumbnail: px(0) },
 *   neighbors: [
 *     { rank: 1, key: "a.png", similarity: 0.9, thumbnail: px(100) },
 *     { rank: 2, key: "b.png", similarity: 0.7, thumbnail: px(200) },
 *   ],
 * });
 * assert.ok(html.includes("q&lt;1&gt;.png"));
 * assert.equal(html.match(/<img /g)?.length, 3);
 * const dir = await Deno.makeTempDir();
 * try {
 *   await Deno.writeTextFile(`${dir}/neighbors.html`, html);
 * } finally {
 *   await Deno.remove(dir, { recursive: true });
 * }
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
