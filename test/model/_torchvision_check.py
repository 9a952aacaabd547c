"""Checks the project's torchvision export/import against torchvision itself (used by
torchvision_weights_test.ts). Usage: python3 _torchvision_check.py OURS.safetensors
INPUT.safetensors THEIRS_OUT.safetensors. Prints JSON: missing/unexpected keys and the features
of ours loaded into torchvision.models.resnet18 (eval), and of a seeded torchvision model that
it writes to THEIRS_OUT for the reverse import."""
import json
import struct
import sys

import torch
import torchvision

DT = {"F32": torch.float32, "I64": torch.int64}
NAMES = {torch.float32: "F32", torch.int64: "I64"}


def load(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    data = b[8 + n:]
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, e = v["data_offsets"]
        out[k] = torch.frombuffer(bytearray(data[a:e]), dtype=DT[v["dtype"]]).reshape(v["shape"])
    return out


def save(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        raw = t.detach().contiguous().numpy().tobytes()
        header[k] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def features(model, x_nhwc):
    model.fc = torch.nn.Identity()
    model.eval()
    with torch.no_grad():
        return model(x_nhwc.permute(0, 3, 1, 2).contiguous()).flatten().tolist()


torch.set_num_threads(1)
ours, x = load(sys.argv[1]), load(sys.argv[2])["x"]
m = torchvision.models.resnet18()
res = m.load_state_dict(ours, strict=False)
out = {"missing": res.missing_keys, "unexpected": res.unexpected_keys, "ours": features(m, x)}

torch.manual_seed(0)
theirs = torchvision.models.resnet18()
for mod in theirs.modules():
    if isinstance(mod, torch.nn.BatchNorm2d):
        mod.running_mean.uniform_(-0.2, 0.2)
        mod.running_var.uniform_(0.5, 1.5)
        mod.weight.data.uniform_(0.5, 1.5)
        mod.bias.data.uniform_(-0.2, 0.2)
save(sys.argv[3], theirs.state_dict())
out["theirs"] = features(theirs, x)
print(json.dumps(out))
