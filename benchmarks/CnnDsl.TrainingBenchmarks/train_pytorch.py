#!/usr/bin/python3
"""PyTorch contender of the training benchmark: one epoch of the Fashion-MNIST course CNN.

Same architecture, optimizer (Adam 1e-3), batch size and batching (index_select of a shuffled permutation per batch)
as the TorchSharp contenders; data read from the same IDX gzip files. Only the epoch loop is timed (optimizer creation
included, as in the .NET contenders). Prints one JSON object on the last line of stdout.

    /usr/bin/python3 train_pytorch.py --data DIR [--images 60000] [--batch-size 64] [--threads 2] [--warmup 512] [--seed 1]
                                      [--device cpu|cuda]

On CUDA the data is moved to the GPU once, before timing, and the clock stops after the device has finished.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def read_images(path, limit):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count, rows, columns = struct.unpack(">IIII", data[:16])
    if magic != 2051:
        raise ValueError(f"{path}: not an IDX image file (magic {magic})")
    # As many complete images as the file holds (the shared copy declares 60,000 but holds 59,999; see TrainingData.cs).
    n = min(count, limit, (len(data) - 16) // (rows * columns))
    pixels = np.frombuffer(data, dtype=np.uint8, count=n * rows * columns, offset=16)
    return torch.from_numpy(pixels.reshape(n, 1, rows, columns).astype(np.float32) / 255.0)


def read_labels(path, limit):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic != 2049:
        raise ValueError(f"{path}: not an IDX label file (magic {magic})")
    n = min(count, limit, len(data) - 8)
    return torch.from_numpy(np.frombuffer(data, dtype=np.uint8, count=n, offset=8).astype(np.int64))


def fashion_cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(3136, 1000), nn.ReLU(), nn.Dropout(0.25),
        nn.Linear(1000, 10))


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def train_epoch(model, inputs, targets, batch_size):
    """One epoch; returns (seconds, CPU seconds of the process, mean loss). The loss is accumulated on the tensor side and
    read once at the end."""
    count = inputs.shape[0]
    device = inputs.device
    synchronize(device)
    start_cpu = time.process_time()
    start_time = time.perf_counter()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    order = torch.randperm(count, device=device)
    loss_sum = torch.zeros(1, device=device)
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        indices = order.narrow(0, start, size)
        x = inputs.index_select(0, indices)
        y = targets.index_select(0, indices)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            loss_sum.add_(loss.detach(), alpha=size)
    mean_loss = loss_sum.item() / count
    synchronize(device)
    return time.perf_counter() - start_time, time.process_time() - start_cpu, mean_loss


def blas_libraries():
    """The BLAS/LAPACK/OpenMP shared objects this process actually mapped."""
    found = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1]
                name = os.path.basename(path)
                if any(key in name for key in ("blas", "lapack", "mkl", "gomp", "omp")):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--images", type=int, default=60000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=512)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    args = parser.parse_args()
    device = torch.device(args.device)

    torch.set_num_threads(args.threads)
    inputs = read_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"), args.images)
    targets = read_labels(os.path.join(args.data, "train-labels-idx1-ubyte.gz"), inputs.shape[0])
    inputs = inputs[: targets.shape[0]].to(device)
    targets = targets.to(device)

    if args.warmup > 0:
        torch.manual_seed(args.seed + 100000)
        train_epoch(fashion_cnn().to(device), inputs[: args.warmup], targets[: args.warmup], args.batch_size)

    torch.manual_seed(args.seed)
    model = fashion_cnn().to(device)
    seconds, cpu_seconds, loss = train_epoch(model, inputs, targets, args.batch_size)
    images = inputs.shape[0]
    print(json.dumps({
        "images": images,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "images_per_second": images / seconds,
        "loss": loss,
        "threads": torch.get_num_threads(),
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "torch": torch.__version__,
        "blas_info": "generic" if "BLAS_INFO=generic" in torch.__config__.show() else "see torch.__config__.show()",
        "libraries": blas_libraries(),
        "parameters": sum(p.numel() for p in model.parameters()),
    }))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
