/** Escaping text for HTML and SVG. */

/**
 * `&`, `<`, `>`, `"` and `'` as entities.
 *
 * @example
 * ```ts
 * escapeHtml("a < b"); // "a &lt; b"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}
