/** The report page's stylesheet (inline; system fonts only, nothing fetched). */
export const REPORT_CSS = `
:root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#f6f7f9; --card:#fff;
  --blue:#2563eb; --orange:#ea580c; --green:#16a34a; --violet:#7c3aed; --red:#dc2626; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg);
  font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; }
main { max-width:1180px; margin:0 auto; padding:28px 24px 48px; }
h1 { font-size:26px; margin:0 0 4px; letter-spacing:-0.01em; }
h2 { font-size:18px; margin:32px 0 12px; }
h3 { font-size:14px; margin:0 0 6px; font-weight:600; }
.sub { color:var(--muted); margin:0 0 18px; }
.tiles { display:grid; grid-template-columns:repeat(auto-fill,minmax(170px,1fr)); gap:12px; }
.tile, .card { background:var(--card); border:1px solid var(--line); border-radius:10px; }
.tile { padding:12px 14px; }
.tile .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.tile .v { font-size:22px; font-weight:650; margin-top:2px; font-variant-numeric:tabular-nums; }
.tile .n { color:var(--muted); font-size:12px; }
.charts { display:grid; grid-template-columns:repeat(auto-fill,minmax(520px,1fr)); gap:14px; }
.card { padding:14px 16px 8px; }
.card .note { color:var(--muted); font-size:12px; margin:0 0 4px; }
.legend { display:flex; gap:14px; font-size:12px; color:var(--muted); margin:0 0 4px; }
.legend i { display:inline-block; width:14px; height:3px; border-radius:2px; vertical-align:middle;
  margin-right:5px; }
svg.chart { width:100%; height:auto; display:block; }
svg.chart .plot-bg { fill:#fcfcfd; }
svg.chart .grid { stroke:var(--line); stroke-width:1; }
svg.chart .axis { stroke:#9ca3af; stroke-width:1; }
svg.chart .tick { fill:var(--muted); font-size:11px; font-variant-numeric:tabular-nums; }
svg.chart .axis-label { fill:var(--muted); font-size:11px; }
svg.chart .marker { stroke:#d1d5db; stroke-dasharray:3 3; }
svg.chart .marker-label { fill:#9ca3af; font-size:10px; }
svg.chart .muted { fill:var(--muted); font-size:13px; }
table { border-collapse:collapse; width:100%; background:var(--card); border:1px solid var(--line);
  border-radius:10px; overflow:hidden; font-variant-numeric:tabular-nums; }
th, td { padding:9px 14px; text-align:left; border-bottom:1px solid var(--line); }
th { background:#f9fafb; font-size:12px; text-transform:uppercase; letter-spacing:.04em;
  color:var(--muted); font-weight:600; }
tr:last-child td { border-bottom:none; }
td.num { width:24%; }
.bar { height:6px; background:#eef0f3; border-radius:3px; margin-top:4px; }
.bar span { display:block; height:100%; border-radius:3px; }
.gain { color:var(--green); font-weight:600; }
.loss { color:var(--red); font-weight:600; }
.pairs { display:grid; grid-template-columns:repeat(auto-fill,minmax(160px,1fr)); gap:12px; }
.pair { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:8px; }
.pair .imgs { display:flex; gap:6px; }
.pair img { width:calc(50% - 3px); aspect-ratio:1; image-rendering:pixelated; border-radius:4px;
  background:#000; object-fit:contain; }
.pair .key { font-size:11px; color:var(--muted); margin-top:5px; overflow:hidden;
  text-overflow:ellipsis; white-space:nowrap; }
pre { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:14px;
  font-size:12.5px; overflow:auto; max-height:480px; }
details summary { cursor:pointer; color:var(--muted); }
footer { color:var(--muted); font-size:12px; margin-top:36px; }
`;
