/**
 * The native TensorFlow backend (`@tensorflow/tfjs-node-gpu`, then `@tensorflow/tfjs-node`),
 * loaded lazily: both packages download libtensorflow in an install script, which many
 * machines cannot run, so nothing else in the project imports them.
 */

/** How a user makes the `tensorflow` backend work; appended to every load failure. */
export const TENSORFLOW_INSTALL_HELP = [
  "To use the native TensorFlow backend, install one of its packages with its install script",
  "allowed (it downloads libtensorflow):",
  "  GPU: deno install --allow-scripts=npm:@tensorflow/tfjs-node-gpu@4.22.0 \\",
  "         --entrypoint npm:@tensorflow/tfjs-node-gpu@4.22.0",
  "       (Linux x86-64, CUDA 11.2 and cuDNN 8.1 on the library path: libcudart.so.11.0,",
  "       libcudnn.so.8; libtensorflow 2.9.1 is fetched into the package's deps/ folder)",
  "  CPU: deno install --allow-scripts=npm:@tensorflow/tfjs-node@4.22.0 \\",
  "         --entrypoint npm:@tensorflow/tfjs-node@4.22.0",
  "The install needs network access to storage.googleapis.com; on a machine without it, copy",
  "libtensorflow.so.2 and libtensorflow_framework.so.2 into node_modules/@tensorflow/",
  "tfjs-node*/deps/lib and rerun the package's scripts/install.js with the path set.",
].join("\n");

import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The packages tried, in order. Kept out of static imports so `deno check` never fetches them. */
const PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"];

let loaded: Promise<{ pkg: string; device: string }> | undefined;

/** Loads the first TensorFlow package that works (once per process); returns its description. */
export function loadTensorflowBackend(): Promise<{ pkg: string; device: string }> {
  loaded ??= tryPackages();
  return loaded;
}

async function tryPackages(): Promise<{ pkg: string; device: string }> {
  const failures: string[] = [];
  for (const pkg of PACKAGES) {
    const missing = missingBinding(pkg);
    if (missing) {
      failures.push(`  ${pkg}: ${missing}`);
      continue;
    }
    try {
      // A computed specifier keeps the import lazy: it is resolved only here, at run time.
      const spec: string = pkg;
      const mod = await import(spec);
      const version = mod?.version?.["tfjs-node"] ?? "4.22.0";
      return {
        pkg,
        device: `${pkg}@${version} (libtensorflow${pkg.endsWith("gpu") ? ", CUDA" : ", CPU"})`,
      };
    } catch (err) {
      const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
      failures.push(`  ${pkg}: ${msg}`);
    }
  }
  throw new Error(
    `the 'tensorflow' backend did not load:\n${failures.join("\n")}\n${TENSORFLOW_INSTALL_HELP}`,
  );
}

/**
 * Checks for the package and its native addon before importing it: importing a package whose
 * addon is missing registers half its kernels and floods the console with warnings.
 */
function missingBinding(pkg: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve(`${pkg}/package.json`));
  } catch {
    return "package not installed";
  }
  for (const napi of ["napi-v8", "napi-v9", "napi-v7", "napi-v6", "napi-v5"]) {
    try {
      Deno.statSync(join(dir, "lib", napi, "tfjs_binding.node"));
      return undefined;
    } catch { /* try the next N-API version */ }
  }
  return `installed without its install script: no lib/napi-v*/tfjs_binding.node under ${dir}`;
}
