#!/usr/bin/env python3
"""Writes the first N training and M test samples of an MNIST-format data set as official IDX gzip files.

  make_subset.py SOURCE_DIR TARGET_DIR [TRAIN_COUNT] [TEST_COUNT]

The repository ships Fashion-MNIST's first 6,000 training and 1,000 test images made this way, so the main example
runs without downloading anything.
"""
import gzip, os, struct, sys

def subset(source, target, count, is_images):
    with gzip.open(source, "rb") as f:
        data = f.read()
    magic, total = struct.unpack(">II", data[:8])
    assert magic == (0x803 if is_images else 0x801), f"{source}: unexpected magic {magic:#x}"
    if is_images:
        rows, cols = struct.unpack(">II", data[8:16])
        header = struct.pack(">IIII", magic, count, rows, cols)
        body = data[16:16 + count * rows * cols]
    else:
        header = struct.pack(">II", magic, count)
        body = data[8:8 + count]
    with gzip.GzipFile(target, "wb", mtime=0) as f:
        f.write(header + body)

source, target = sys.argv[1], sys.argv[2]
train = int(sys.argv[3]) if len(sys.argv) > 3 else 6000
test = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
os.makedirs(target, exist_ok=True)
for name, count in [("train", train), ("t10k", test)]:
    subset(os.path.join(source, f"{name}-images-idx3-ubyte.gz"), os.path.join(target, f"{name}-images-idx3-ubyte.gz"), count, True)
    subset(os.path.join(source, f"{name}-labels-idx1-ubyte.gz"), os.path.join(target, f"{name}-labels-idx1-ubyte.gz"), count, False)
