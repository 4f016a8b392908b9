#!/usr/bin/env python3
"""Moves weights between torchvision and CnnDsl through safetensors files (written here without the safetensors package).

  export_torchvision.py export MODEL WEIGHTS [--weights NAME] [--classes N] [--randomize SEED] [--input N,C,H,W --check CHECK]
      Writes MODEL's state_dict (torchvision's keys and order) to WEIGHTS. --weights DEFAULT (or a name such as
      IMAGENET1K_V1) writes torchvision's pretrained weights, downloaded on first use (this needs the internet); they
      have 1000 classes: load them with LoadSafeTensors(path, skip: "fc.*") into a model with your own head. Without
      --weights the weights are torchvision's random initialisation, and the script says so. --randomize draws every tensor at random,
      batch-norm running means non-zero and running variances from [0.5, 2], so that a swapped buffer cannot pass.
      --check also writes a random input and the model's eval-mode logits on it to CHECK ("input", "logits").
  export_torchvision.py run MODEL WEIGHTS CHECK [--classes N]
      Loads WEIGHTS (for example saved by CnnDsl) into a fresh MODEL strictly, and prints the largest difference
      between its logits on CHECK's input and CHECK's logits.
  export_torchvision.py keys MODEL [MODEL ...]
      Prints every MODEL's state_dict keys and shapes as JSON.
  export_torchvision.py sizes MODEL [MODEL ...] --sizes H,W [H,W ...]
      Prints, per MODEL, whether it runs on a 1x3xHxW input at each size, as JSON.

GoogLeNet and Inception V3 are built without their auxiliary classifiers (as CnnDsl's zoo has them) unless --aux-logits
is given, and with transform_input only when --transform-input is given (torchvision turns it on for its pretrained
weights).

Run with the Python that has torch and torchvision (on Debian: /usr/bin/python3).
"""
import argparse, json, struct, sys
import torch, torchvision

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}
TYPES = {v: k for k, v in DTYPES.items()}


def write(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().cpu().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def read(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = TYPES[entry["dtype"]]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype).reshape(entry["shape"]).clone() if end > begin \
            else torch.zeros(entry["shape"], dtype=dtype)
    return tensors


def build(name, classes, weights=None, aux_logits=False, transform_input=False):
    if weights is not None:
        if classes != 1000:
            raise SystemExit(f"error: --weights {weights} gives {name}'s 1000 ImageNet classes, not --classes {classes}; export with "
                             f"1000 classes and load them with LoadSafeTensors(path, skip: \"fc.*\") (or the model's head) into your model")
        try:
            return getattr(torchvision.models, name)(weights=weights)
        except (OSError, RuntimeError, ValueError, KeyError) as error:
            # urllib's URLError is an OSError; an unknown weights name is a ValueError or KeyError.
            raise SystemExit(f"error: could not load {name}'s pretrained weights '{weights}' ({type(error).__name__}: {error}). "
                             "The first use downloads them, which needs the internet on this machine; later uses read torchvision's cache "
                             "($TORCH_HOME, by default ~/.cache/torch).")
    if name in ("googlenet", "inception_v3"):
        return getattr(torchvision.models, name)(num_classes=classes, aux_logits=aux_logits, transform_input=transform_input, init_weights=False)
    return getattr(torchvision.models, name)(num_classes=classes)


def randomize(model, seed):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for key, tensor in model.state_dict().items():
            if key.endswith("running_var"):
                tensor.copy_(torch.rand(tensor.shape, generator=generator) * 1.5 + 0.5)
            elif key.endswith("running_mean"):
                tensor.copy_(torch.rand(tensor.shape, generator=generator) - 0.5)
            elif key.endswith("num_batches_tracked"):
                tensor.fill_(int(torch.randint(1, 1000, (1,), generator=generator)))
            elif tensor.dim() > 1:
                fan_in = tensor[0].numel()
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
            else:
                tensor.copy_(torch.randn(tensor.shape, generator=generator) * 0.1 + (1.0 if key.endswith("weight") else 0.0))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["export", "run", "keys", "sizes"])
    parser.add_argument("model", nargs="+")
    parser.add_argument("--classes", type=int, default=1000)
    parser.add_argument("--weights", help="torchvision's pretrained weights: DEFAULT or a name such as IMAGENET1K_V1")
    parser.add_argument("--randomize", type=int)
    parser.add_argument("--input")
    parser.add_argument("--check")
    parser.add_argument("--aux-logits", action="store_true")
    parser.add_argument("--transform-input", action="store_true")
    parser.add_argument("--sizes", nargs="*", default=[])
    args = parser.parse_args()
    torch.set_num_threads(1)

    if args.command == "keys":
        result = {}
        for name in args.model:
            result[name] = [[k, list(v.shape)] for k, v in build(name, args.classes, aux_logits=args.aux_logits).state_dict().items()]
        print(json.dumps(result))
        return

    if args.command == "sizes":
        result = {}
        for name in args.model:
            model = build(name, args.classes).eval()
            runs = []
            for size in args.sizes:
                h, w = (int(d) for d in size.split(","))
                try:
                    with torch.no_grad():
                        model(torch.rand(1, 3, h, w))
                    runs.append(True)
                except (RuntimeError, ValueError):
                    runs.append(False)
            result[name] = runs
        print(json.dumps(result))
        return

    name, weights = args.model[0], args.model[1]
    if args.weights is not None and args.command != "export":
        raise SystemExit("error: --weights applies to export only")
    if args.weights is not None and args.randomize is not None:
        raise SystemExit("error: --weights and --randomize exclude each other")
    model = build(name, args.classes, args.weights if args.command == "export" else None, args.aux_logits, args.transform_input).eval()
    if args.command == "export":
        if args.randomize is not None:
            randomize(model, args.randomize)
        elif args.weights is None:
            print(f"WARNING: {weights} holds RANDOM weights: torchvision's initialisation of an untrained {name}, not pretrained ones. "
                  f"Pass --weights DEFAULT for the pretrained ImageNet weights (needs the internet the first time).", file=sys.stderr)
        write(weights, model.state_dict())
        if args.check:
            shape = [int(d) for d in args.input.split(",")]
            x = torch.randn(shape, generator=torch.Generator().manual_seed(7))
            with torch.no_grad():
                write(args.check, {"input": x, "logits": model(x)})
        return

    check = read(args.model[2])
    model.load_state_dict(read(weights), strict=True)
    with torch.no_grad():
        logits = model(check["input"])
    print(json.dumps({"max_abs_diff": float((logits - check["logits"]).abs().max())}))


if __name__ == "__main__":
    main()
