"""The SimCLR training step of `deno task bench step --model resnet18`, in PyTorch, fp32.

ResNet-18 with the CIFAR stem (3x3/1 conv, no max pool; torchvision's layout), the 2-layer
projection head (512 -> 512, BN, ReLU -> 128), NT-Xent (cosine, tau 0.5, both directions),
backward, momentum SGD (0.9, weight decay 1e-6), on 2 x PAIRS views of 32x32x3: the reference
the `webgpu` step is measured against on the same GPU (bench/webgpu_gpu.sh). The model is
written out here (no torchvision needed). Median step time after warm-up, synchronized.

  python3 bench/step_torch.py [--pairs 256 512] [--steps 5] [--warmup 2] [--device cuda]
  python3 bench/step_torch.py --tiny    # 4 pairs, 1 step, CPU when there is no GPU
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class SimCLR(nn.Module):
    """ResNet-18, CIFAR stem, and the 2-layer projection head."""

    def __init__(self, out_dim=128):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        layers, cin = [], 64
        for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Linear(512, 512, bias=False), nn.BatchNorm1d(512), nn.ReLU(),
                                  nn.Linear(512, out_dim))

    def forward(self, x):
        h = self.layers(F.relu(self.bn1(self.conv1(x))))
        return self.head(torch.flatten(F.adaptive_avg_pool2d(h, 1), 1))


def nt_xent(z, tau):
    z = F.normalize(z, dim=1)
    n = z.shape[0] // 2
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return F.cross_entropy(sim, target)


def measure(device, pairs, steps, warmup):
    torch.manual_seed(0)
    model = SimCLR().to(device).to(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-6)
    views = torch.randn(2 * pairs, 3, 32, 32, device=device).to(memory_format=torch.channels_last)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    times = []
    for s in range(warmup + steps):
        sync()
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = nt_xent(model(views), 0.5)
        loss.backward()
        opt.step()
        value = loss.item()  # the step is done when its loss is on the host, as in the bench
        sync()
        ms = 1000 * (time.perf_counter() - t0)
        if s >= warmup:
            times.append(ms)
        if value != value:
            raise RuntimeError("non-finite loss")
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--pairs", type=int, nargs="+", default=[256, 512])
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--device", default=None, help="cuda (default when available) or cpu")
    p.add_argument("--tiny", action="store_true", help="4 pairs, 1 step after 1 warm-up; CPU if no GPU")
    a = p.parse_args()
    if a.tiny:
        a.pairs, a.steps, a.warmup = [4], 1, 1
    name = a.device or ("cuda" if torch.cuda.is_available() else None)
    if name is None:
        if not a.tiny:
            raise SystemExit("no CUDA device: this is a GPU benchmark (use --tiny to try it on CPU)")
        name = "cpu"
    device = torch.device(name)
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = False  # fp32, as the webgpu step
    torch.backends.cudnn.allow_tf32 = False
    what = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"PyTorch {torch.__version__} on {what}, fp32 (TF32 off), channels-last")
    print(f"{'views':>6} {'median s':>9} {'img/s':>9}")
    for pairs in a.pairs:
        ms = measure(device, pairs, a.steps, a.warmup)
        print(f"{2 * pairs:>6} {ms / 1000:>9.4f} {2 * pairs / (ms / 1000):>9.1f}")


if __name__ == "__main__":
    main()
