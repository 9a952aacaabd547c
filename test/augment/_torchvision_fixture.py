"""Writes _torchvision_fixture.json: torchvision 0.14's float-tensor transforms on a small image.

Run with Debian's torch: /usr/bin/python3 test/augment/_torchvision_fixture.py
The test torchvision_test.ts replays the same fixed parameters with src/augment.
"""
import json
import os

import torch
import torchvision.transforms.functional as F

g = torch.Generator().manual_seed(1)
img = torch.randint(0, 256, (3, 10, 12), generator=g, dtype=torch.uint8)
x = img.float() / 255


def hwc(t):
    return [round(v, 7) for v in t.permute(1, 2, 0).flatten().tolist()]


base = F.resized_crop(x, 0, 0, 10, 12, [8, 8], antialias=True)
out = {
    "versions": {"torch": torch.__version__},
    "image": img.permute(1, 2, 0).flatten().tolist(),
    "crop_up": hwc(F.resized_crop(x, 2, 3, 5, 4, [8, 8], antialias=True)),
    "crop_down": hwc(F.resized_crop(x, 1, 1, 9, 10, [4, 4], antialias=True)),
    "base": hwc(base),
    "brightness": hwc(F.adjust_brightness(base, 1.3)),
    "contrast": hwc(F.adjust_contrast(base, 0.6)),
    "saturation": hwc(F.adjust_saturation(base, 1.7)),
    "hue": hwc(F.adjust_hue(base, 0.23)),
    "hue_neg": hwc(F.adjust_hue(base, -0.41)),
    "blur": hwc(F.gaussian_blur(base, [5, 5], [1.3, 1.3])),
    "solarize": hwc(F.solarize(base, 0.5)),
    "normalize": hwc(F.normalize(base, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])),
}
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "_torchvision_fixture.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
