/**
 * Photo-like test images (smooth colour gradients, a disc, fine texture) encoded as JPEG with
 * imagescript or PNG with the report's encoder, in a labelled folder tree with one broken file.
 */
import { Image } from "imagescript";
import { encodePng } from "../../src/report/_png.ts";

/** HWC pixels of a `width x height` photo-like image. */
export function photoPixels(
  width: number,
  height: number,
  channels: 1 | 3,
  seed: number,
): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  const cx = width * (0.3 + 0.4 * ((seed * 7) % 10) / 10), cy = height * (0.3 + 0.04 * (seed % 10));
  const r = Math.min(width, height) / 3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      for (let c = 0; c < channels; c++) {
        const base = (x / width) * 120 + (y / height) * 80 + c * 30 * Math.sin(seed + c);
        const tex = 20 * Math.sin(x * 0.9 + seed) * Math.cos(y * 0.7 + c);
        out[(y * width + x) * channels + c] = Math.max(
          0,
          Math.min(255, Math.round(base + tex + (inDisc ? 90 : 0))),
        );
      }
    }
  }
  return out;
}

/** A JPEG (quality 90) of {@link photoPixels} (RGB). */
export async function photoJpeg(width: number, height: number, seed: number): Promise<Uint8Array> {
  const px = photoPixels(width, height, 3, seed);
  const img = new Image(width, height);
  for (let i = 0; i < width * height; i++) {
    img.bitmap[4 * i] = px[3 * i];
    img.bitmap[4 * i + 1] = px[3 * i + 1];
    img.bitmap[4 * i + 2] = px[3 * i + 2];
    img.bitmap[4 * i + 3] = 255;
  }
  return await img.encodeJPEG(90);
}

/** A folder: what is in it, in the order `imageFolder` lists it (code point order of paths). */
export interface PhotoFolder {
  root: string;
  /** Good images: path and label (`undefined` directly under the root). */
  good: { path: string; label?: number }[];
  /** A truncated JPEG that no decoder reads. */
  broken: string;
}

/**
 * `root/cats/{a.jpg,b.png}`, `root/dogs/{broken.jpg,c.jpg,d.png}` (d: gray), `root/x.jpg`:
 * various sizes, none square but one.
 */
export async function writePhotoFolder(): Promise<PhotoFolder> {
  const root = await Deno.makeTempDir({ prefix: "simclr-photos-" });
  await Deno.mkdir(`${root}/cats`);
  await Deno.mkdir(`${root}/dogs`);
  await Deno.writeFile(`${root}/cats/a.jpg`, await photoJpeg(40, 30, 1));
  await Deno.writeFile(`${root}/cats/b.png`, encodePng(photoPixels(24, 24, 3, 2), 24, 24, 3));
  const c = await photoJpeg(30, 44, 3);
  await Deno.writeFile(`${root}/dogs/c.jpg`, c);
  await Deno.writeFile(`${root}/dogs/broken.jpg`, c.subarray(0, c.length >> 1));
  await Deno.writeFile(`${root}/dogs/d.png`, encodePng(photoPixels(17, 23, 1, 4), 17, 23, 1));
  await Deno.writeFile(`${root}/x.jpg`, await photoJpeg(50, 20, 5));
  return {
    root,
    good: [
      { path: `${root}/cats/a.jpg`, label: 0 },
      { path: `${root}/cats/b.png`, label: 0 },
      { path: `${root}/dogs/c.jpg`, label: 1 },
      { path: `${root}/dogs/d.png`, label: 1 },
      { path: `${root}/x.jpg` },
    ],
    broken: `${root}/dogs/broken.jpg`,
  };
}
