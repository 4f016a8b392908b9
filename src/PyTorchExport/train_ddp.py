#!/usr/bin/env python3
"""Trains {{CLASS}} ({{MODULE}}.py, exported by CnnDsl) with PyTorch's DistributedDataParallel, one process per device.

    torchrun --nproc_per_node=2 train_ddp.py --data DIR --epochs 5 --out weights.safetensors
    torchrun --nnodes=2 --nproc_per_node=4 --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 train_ddp.py --data DIR ...

DIR holds IDX gzip files as MNIST and Fashion-MNIST ship them (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
and for a test accuracy t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz), or one sub-folder per class of images
(needs torchvision). Each process trains on its share of every epoch (DistributedSampler); gradients are averaged by
DDP. CPU processes use the gloo backend, GPUs nccl. Rank 0 writes a checkpoint after every epoch (--resume continues
from it) and at the end the weights as safetensors, which CnnDsl reads back: model.LoadSafeTensors("weights.safetensors").
The loss is cross-entropy on the model's output as CnnDsl's Fit computes it (logits, probabilities or log-probabilities).
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from {{MODULE}} import {{CLASS}}

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def read_idx(path, magic_expected, dimensions):
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        fail(f"{path}: cannot read it as gzip ({error})")
    header = 4 + 4 * dimensions
    if len(data) < header:
        fail(f"{path}: {len(data)} bytes, shorter than the {header}-byte IDX header")
    magic = struct.unpack(">I", data[:4])[0]
    if magic != magic_expected:
        fail(f"{path}: magic number {magic}, expected {magic_expected} for an IDX file of {dimensions} dimension(s)")
    sizes = struct.unpack(">" + "I" * dimensions, data[4:header])
    count = 1
    for size in sizes:
        count *= size
    if len(data) - header != count:
        fail(f"{path}: the header declares {sizes} ({count} bytes) but the file holds {len(data) - header} bytes")
    return torch.frombuffer(bytearray(data[header:]), dtype=torch.uint8).reshape(sizes)


def idx_split(folder, prefix):
    images, labels = os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz")
    if not os.path.exists(images):
        return None
    x = read_idx(images, 2051, 3).unsqueeze(1).float().div_(255)
    y = read_idx(labels, 2049, 1).long()
    if x.shape[0] != y.shape[0]:
        fail(f"{images} holds {x.shape[0]} images but {labels} {y.shape[0]} labels")
    return TensorDataset(x, y)


def image_folder(folder, shape):
    try:
        from torchvision import datasets, transforms
    except ImportError:
        fail(f"{folder} has no IDX files; reading an image folder needs torchvision (pip install torchvision)")
    steps = [transforms.Resize(tuple(shape[1:]))] if None not in shape[1:] else []
    if shape[0] == 1:
        steps.append(transforms.Grayscale())
    steps.append(transforms.ToTensor())
    return datasets.ImageFolder(folder, transforms.Compose(steps))


def load(folder, shape):
    if not os.path.isdir(folder):
        fail(f"{folder} is not a folder")
    train = idx_split(folder, "train")
    if train is not None:
        return train, idx_split(folder, "t10k")
    test_folder = os.path.join(folder, "test")
    train_folder = os.path.join(folder, "train")
    if os.path.isdir(train_folder):
        return image_folder(train_folder, shape), image_folder(test_folder, shape) if os.path.isdir(test_folder) else None
    return image_folder(folder, shape), None


def loss_of(output, target, activation):
    if activation == "LogSoftmax":
        return F.nll_loss(output, target)
    if activation == "Softmax":
        return F.nll_loss(output.clamp(1e-7, 1 - 1e-7).log(), target)
    if activation == "Sigmoid":
        fail("cross-entropy needs class scores, but the model ends in sigmoid")
    return F.cross_entropy(output, target)


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        data = tensor.detach().cpu().contiguous().numpy().tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    temporary = path + ".partial"
    with open(temporary, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=64, help="per process")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="weights.safetensors")
    parser.add_argument("--checkpoint", default="checkpoint.pt")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--max-steps", type=int, default=0, help="stop each epoch after this many steps (0: the whole epoch)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    args = parser.parse_args()
    if "RANK" not in os.environ:
        fail("start this script with torchrun, e.g. torchrun --nproc_per_node=2 train_ddp.py --data DIR")

    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get("LOCAL_RANK", 0))
    device = torch.device("cuda", local) if use_cuda else torch.device("cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    if not use_cuda:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", world))))

    torch.manual_seed(args.seed)
    model = {{CLASS}}().to(device)
    train, test = load(args.data, {{CLASS}}.input_shape)
    ddp = DistributedDataParallel(model, device_ids=[local] if use_cuda else None)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    first_epoch = 0
    if args.resume and os.path.exists(args.checkpoint):
        state = torch.load(args.checkpoint, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        first_epoch = state["epoch"] + 1
        if rank == 0:
            print(f"resumed from {args.checkpoint} after epoch {first_epoch}", flush=True)

    sampler = DistributedSampler(train, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(train, batch_size=args.batch_size, sampler=sampler)
    activation = {{CLASS}}.output_activation
    for epoch in range(first_epoch, args.epochs):
        sampler.set_epoch(epoch)
        ddp.train()
        started = time.time()
        totals = torch.zeros(2, device=device)
        for step, (x, y) in enumerate(loader):
            if args.max_steps and step >= args.max_steps:
                break
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            optimizer.zero_grad()
            loss = loss_of(ddp(x), y, activation)
            loss.backward()
            optimizer.step()
            totals += torch.stack([loss.detach() * x.shape[0], torch.tensor(float(x.shape[0]), device=device)])
        dist.all_reduce(totals)
        if rank == 0:
            print(f"epoch {epoch + 1}/{args.epochs}: loss {float(totals[0] / totals[1]):.4f} over {int(totals[1])} images "
                  f"on {world} process(es), {time.time() - started:.1f} s", flush=True)
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, args.checkpoint)

    summary = {"processes": world, "epochs": args.epochs, "out": args.out}
    if rank == 0:
        if test is not None:
            model.eval()
            correct = 0
            with torch.no_grad():
                for x, y in DataLoader(test, batch_size=256):
                    correct += int((model(x.to(device)).argmax(1).cpu() == y).sum())
            summary["test_accuracy"] = correct / len(test)
            print(f"test accuracy {summary['test_accuracy']:.4f} on {len(test)} images", flush=True)
        write_safetensors(args.out, model.state_dict())
        print(json.dumps(summary), flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
