/**
 * `deno task bench NAME [args]`: runs the benchmark `bench/NAME.ts`, which prints its figures.
 * With no name, lists the benchmarks; `deno task bench NAME --help` prints its options (the
 * benchmark file's leading comment).
 */
const here = new URL(".", import.meta.url);
const name = Deno.args[0];
const names = [...Deno.readDirSync(here)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".ts") && n !== "main.ts" && !n.startsWith("_"))
  .map((n) => n.slice(0, -3))
  .sort();
if (!name || name === "--help" || name === "-h") {
  console.log(`usage: deno task bench NAME [options]\nbenchmarks: ${names.join(", ")}`);
  console.log("`deno task bench NAME --help` describes one of them.");
  Deno.exit(name ? 0 : 2);
}
if (!names.includes(name)) {
  console.error(`unknown benchmark '${name}': choose one of ${names.join(", ")}`);
  Deno.exit(2);
}
const file = new URL(`${name}.ts`, here);
if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log(leadingComment(await Deno.readTextFile(file)) ?? `deno task bench ${name}`);
  Deno.exit(0);
}
await import(file.href);

/** The text of the first `/** ... *\/` block, without its comment markers. */
function leadingComment(source: string): string | undefined {
  const m = source.match(/\/\*\*([\s\S]*?)\*\//);
  return m?.[1].split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n").trim();
}
