/** An environment variable, or undefined when unset or not readable (no `--allow-env`). */
export function envGet(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
