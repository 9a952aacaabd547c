/**
 * First-use set-up, run by `deno task pretrain` and `deno task test` before they start:
 * the Debian packages the job needs and the npm packages pinned in `deno.lock`.
 *
 *   deno run -A scripts/setup.ts pretrain|test|all
 *
 * Idempotent and quick when everything is there (one `dpkg-query` call and a no-op
 * `deno install --frozen`): it prints only what it installs or what is missing. As root (or
 * with password-less sudo) it installs missing packages with apt-get; otherwise it names them,
 * says what works without them, and carries on (`SIMCLR_SETUP=report` does that even as root).
 * `SIMCLR_SETUP=0` skips it.
 */

/** A Debian package, what needs it, and what happens without it. */
interface Package {
  name: string;
  for: string;
  without: string;
}

const PACKAGES: Record<string, Package> = {
  "dataset-fashion-mnist": {
    name: "dataset-fashion-mnist",
    for: "the default pipeline's dataset (/usr/share/datasets/fashion-mnist)",
    without: "the dataset is downloaded into the cache instead",
  },
  libdnnl2: {
    name: "libdnnl2",
    for: "the native CPU kernels (oneDNN)",
    without: "training falls back to the wasm backend (slower)",
  },
  "libopenblas0-pthread": {
    name: "libopenblas0-pthread",
    for: "the native CPU kernels (OpenBLAS)",
    without: "training falls back to the wasm backend (slower)",
  },
  "mesa-vulkan-drivers": {
    name: "mesa-vulkan-drivers",
    for: "a software Vulkan adapter for the webgpu tests",
    without: "the webgpu tests are skipped",
  },
  "openmpi-bin": {
    name: "openmpi-bin",
    for: "multi-process training under mpirun",
    without: "the MPI tests are skipped",
  },
  "libopenmpi-dev": {
    name: "libopenmpi-dev",
    for: "multi-process training under mpirun (libmpi.so)",
    without: "the MPI tests are skipped",
  },
  iproute2: {
    name: "iproute2",
    for: "ip netns: the fake hosts of the multi-host MPI test (as root)",
    without: "the multi-host test is skipped",
  },
  "util-linux": {
    name: "util-linux",
    for: "unshare: distinct host names for the multi-host MPI test",
    without: "the multi-host test is skipped",
  },
  chromium: {
    name: "chromium",
    for: "the headless-browser checks of the report and the TensorFlow.js export",
    without: "those checks are skipped",
  },
  "python3-torchvision": {
    name: "python3-torchvision",
    for: "checking that exported weights load in torchvision",
    without: "that check is skipped",
  },
};

/** What each command needs. */
const NEEDS: Record<string, string[]> = {
  pretrain: ["dataset-fashion-mnist", "libdnnl2", "libopenblas0-pthread"],
  test: Object.keys(PACKAGES),
  all: Object.keys(PACKAGES),
};

const say = (line: string) => console.error(`setup: ${line}`);

async function run(
  cmd: string,
  args: string[],
  quiet = true,
): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: quiet ? "piped" : "inherit",
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).output();
    return { ok: r.success, out: new TextDecoder().decode(r.stdout) };
  } catch {
    return { ok: false, out: "" };
  }
}

/** The packages of `names` that dpkg does not list as installed; undefined without dpkg. */
async function missingPackages(names: string[]): Promise<string[] | undefined> {
  let out: string;
  try {
    const r = await new Deno.Command("dpkg-query", {
      args: ["-W", "-f=${Package} ${Status}\\n", ...names],
      stdout: "piped",
      stderr: "null",
    }).output();
    out = new TextDecoder().decode(r.stdout);
  } catch {
    return undefined; // no dpkg-query: not Debian
  }
  const installed = new Set(
    out.split("\n").filter((l) => l.endsWith(" install ok installed")).map((l) => l.split(" ")[0]),
  );
  return names.filter((n) => !installed.has(n));
}

/** `[]` as root, a `sudo -n` prefix with password-less sudo, undefined otherwise. */
async function privilege(): Promise<string[] | undefined> {
  if (Deno.env.get("SIMCLR_SETUP") === "report") return undefined;
  if (Deno.uid() === 0) return [];
  // sudo resets the environment: DEBIAN_FRONTEND has to be given through env
  const sudo = ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"];
  return (await run("sudo", ["-n", "true"])).ok ? sudo : undefined;
}

async function debianPackages(names: string[]): Promise<void> {
  const missing = await missingPackages(names);
  if (missing === undefined) {
    say(
      "not a Debian system (no dpkg-query); for everything to work, install the equivalents of " +
        names.join(", "),
    );
    return;
  }
  if (missing.length === 0) return;
  const describe = (n: string) => `  ${n}: ${PACKAGES[n].for}; without it ${PACKAGES[n].without}`;
  const prefix = await privilege();
  if (!prefix) {
    say("missing Debian packages (no root or password-less sudo to install them):");
    for (const n of missing) console.error(describe(n));
    say(`install them with: sudo apt-get install -y ${missing.join(" ")}  (carrying on without)`);
    return;
  }
  say(`installing ${missing.join(", ")}:`);
  for (const n of missing) console.error(describe(n));
  const [cmd, ...pre] = [...prefix, "apt-get"];
  const t0 = performance.now();
  const update = await run(cmd, [...pre, "update", "-qq"], false);
  const install = update.ok &&
    (await run(cmd, [...pre, "install", "-y", "-qq", "--no-install-recommends", ...missing], false))
      .ok;
  const still = await missingPackages(missing) ?? missing;
  if (!install || still.length > 0) {
    say(`could not install ${still.join(", ")} (apt-get failed; see above); carrying on without`);
  } else {
    say(`installed ${missing.join(", ")} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}

/** The npm packages at the versions in deno.lock (a no-op when node_modules matches). */
async function npmPackages(): Promise<void> {
  const root = new URL("../", import.meta.url).pathname;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["install", "--frozen", "--quiet"],
    cwd: root,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!r.success) say("deno install --frozen failed (see above); npm packages may be missing");
}

if (import.meta.main) {
  const what = Deno.args[0] ?? "all";
  if (!NEEDS[what]) {
    console.error(`usage: deno run -A scripts/setup.ts ${Object.keys(NEEDS).join("|")}`);
    Deno.exit(2);
  }
  if (Deno.env.get("SIMCLR_SETUP") !== "0") {
    await debianPackages(NEEDS[what]);
    await npmPackages();
  }
}
