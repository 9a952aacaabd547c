/**
 * `deno task bench NAME [args]`: runs the benchmark `bench/NAME.ts`, which prints its figures.
 * With no name, lists the benchmarks.
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
  Deno.exit(name ? 0 : 2);
}
if (!names.includes(name)) {
  console.error(`unknown benchmark '${name}': choose one of ${names.join(", ")}`);
  Deno.exit(2);
}
await import(new URL(`${name}.ts`, here).href);
