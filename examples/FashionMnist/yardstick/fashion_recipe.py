"""The PyTorch yardstick for the example's best recipe (Recipes.cs): the same model, data, augmentation, loss, optimizer,
schedule and epochs, on all of Fashion-MNIST, with PyTorch alone. Prints the test accuracy and median seconds per epoch.

    /usr/bin/python3 examples/FashionMnist/yardstick/fashion_recipe.py --data DIR [--seed 1] [--threads 2]

PyTorch's OneCycleLR also cycles Adam's beta1 by default; the C# recipe does not, so neither does this one
(cycle_momentum=False).
"""
import argparse, gzip, os, statistics, struct, time

import numpy as np
import torch
from torch import nn

EPOCHS, BATCH, MAX_RATE, WEIGHT_DECAY, SMOOTHING, PAD = 15, 128, 4e-3, 5e-4, 0.1, 2


def read_idx(path):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder, stem):
    name = next(os.path.join(folder, stem + s) for s in (".gz", "") if os.path.exists(os.path.join(folder, stem + s)))
    return read_idx(name)


def model():
    def conv(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
    return nn.Sequential(*conv(1, 32), *conv(32, 32), nn.MaxPool2d(2), *conv(32, 64), *conv(64, 64), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 7 * 7, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(),
                         nn.Dropout(0.3), nn.Linear(256, 10))


def augment(batch, generator):
    # RandomCrop(28, padding=2) and RandomHorizontalFlip() per image, on the batch.
    n, _, h, w = batch.shape
    padded = nn.functional.pad(batch, (PAD, PAD, PAD, PAD))
    tops = torch.randint(0, 2 * PAD + 1, (n,), generator=generator)
    lefts = torch.randint(0, 2 * PAD + 1, (n,), generator=generator)
    out = torch.stack([padded[i, :, tops[i]:tops[i] + h, lefts[i]:lefts[i] + w] for i in range(n)])
    flips = torch.rand(n, generator=generator) < 0.5
    return torch.where(flips.view(n, 1, 1, 1), out.flip(3), out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    train_x = torch.from_numpy(load(args.data, "train-images-idx3-ubyte").copy()).float().div_(255).unsqueeze(1)
    train_y = torch.from_numpy(load(args.data, "train-labels-idx1-ubyte").astype(np.int64))
    test_x = torch.from_numpy(load(args.data, "t10k-images-idx3-ubyte").copy()).float().div_(255).unsqueeze(1)
    test_y = torch.from_numpy(load(args.data, "t10k-labels-idx1-ubyte").astype(np.int64))

    net = model()
    steps_per_epoch = (len(train_x) + BATCH - 1) // BATCH
    optimizer = torch.optim.AdamW(net.parameters(), lr=MAX_RATE, weight_decay=WEIGHT_DECAY)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=MAX_RATE, total_steps=args.epochs * steps_per_epoch, cycle_momentum=False)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=SMOOTHING)
    seconds = []
    for epoch in range(args.epochs):
        net.train()
        start = time.perf_counter()
        order = torch.randperm(len(train_x), generator=generator)
        for i in range(0, len(train_x), BATCH):
            index = order[i:i + BATCH]
            x, y = augment(train_x[index], generator), train_y[index]
            optimizer.zero_grad()
            loss = loss_fn(net(x), y)
            loss.backward()
            optimizer.step()
            schedule.step()
        seconds.append(time.perf_counter() - start)
        print(f"epoch {epoch + 1}: {seconds[-1]:.1f} s, last loss {loss.item():.4f}", flush=True)

    net.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(test_x), 1000):
            correct += (net(test_x[i:i + 1000]).argmax(1) == test_y[i:i + 1000]).sum().item()
    print(f"PyTorch {torch.__version__}, seed {args.seed}: {correct / len(test_x):.2%} test accuracy after {args.epochs} epochs, "
          f"{statistics.median(seconds):.1f} s per epoch (median)")


if __name__ == "__main__":
    main()
