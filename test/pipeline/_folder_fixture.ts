/**
 * An image folder (`<root>/train/c<label>/<nn>.png`) of the fixture's labelled 12x12 gray PNGs
 * (the images of `_fixture.ts`), some of them cut short (undecodable) if the test asks.
 */
import { fixturePng } from "./_fixture.ts";

/**
 * Writes `classes` class folders of `perClass` images under `<root>/train/`; the image-folder
 * dataset lists them in path order, so image `i` of class `c` has dataset index
 * `c * perClass + i`. The images whose index is in `bad` are cut short. Returns the root.
 */
export async function writeImageFolder(
  classes: number,
  perClass: number,
  bad: ReadonlySet<number> = new Set(),
): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "simclr-folder-fixture-" });
  for (let c = 0; c < classes; c++) {
    const dir = `${root}/train/c${c}`;
    await Deno.mkdir(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const index = c * perClass + i;
      const png = await fixturePng(index, c, bad.has(index));
      await Deno.writeFile(`${dir}/${String(i).padStart(3, "0")}.png`, png);
    }
  }
  return root;
}
