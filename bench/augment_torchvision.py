"""Throughput of torchvision's PIL-based SimCLR augmentation on one thread.

Run by bench/augment.ts with Debian's /usr/bin/python3 (torch 1.13, torchvision 0.14).
Prints JSON: view pairs per second for "cifar" (32x32, strength 0.5, no blur) and
"imagenet" (256x256 -> 224x224, strength 1, blur), the same cases as bench/augment.ts.
"""
import json
import math
import sys
import time

import PIL
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

torch.set_num_threads(1)
torch.manual_seed(0)


def simclr(size, strength, blur, mean, std):
    s = strength
    ops = [
        T.RandomResizedCrop(size, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.8 * s, 0.8 * s, 0.8 * s, 0.2 * s)], p=0.8),
        T.RandomGrayscale(p=0.2),
    ]
    if blur:
        k = (size // 10) // 2 * 2 + 1
        ops.append(T.RandomApply([T.GaussianBlur(k, sigma=(0.1, 2.0))], p=0.5))
    ops += [T.ToTensor(), T.Normalize(mean, std)]
    return T.Compose(ops)


def synthetic(side, seed):
    """The same synthetic image as bench/augment.ts."""
    buf = bytearray(side * side * 3)
    i = 0
    for y in range(side):
        for x in range(side):
            buf[i] = int(x * 255 / side + seed * 37) & 255
            buf[i + 1] = int(y * 255 / side + seed * 11) & 255
            buf[i + 2] = int(128 + 100 * math.sin((x + y + seed) / 7)) & 255
            i += 3
    return Image.frombytes("RGB", (side, side), bytes(buf))


def measure(transform, side, seconds):
    images = [synthetic(side, i) for i in range(8)]
    end = time.perf_counter() + 0.3
    n = 0
    while time.perf_counter() < end:
        transform(images[n % 8])
        n += 1
    n = 0
    t0 = time.perf_counter()
    t = t0
    while t - t0 < seconds:
        for k in range(8):
            img = images[k]
            transform(img)
            transform(img)
        n += 8
        t = time.perf_counter()
    return n / (t - t0)


def main():
    seconds = 2.0
    if "--seconds" in sys.argv:
        seconds = float(sys.argv[sys.argv.index("--seconds") + 1])
    cifar = simclr(32, 0.5, False, (0.4914, 0.4822, 0.4465), (0.247, 0.2435, 0.2616))
    imagenet = simclr(224, 1.0, True, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    print(json.dumps({
        "cifar": measure(cifar, 32, seconds),
        "imagenet": measure(imagenet, 256, seconds),
        "versions": f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
        f"PIL {PIL.__version__}",
    }))


if __name__ == "__main__":
    main()
