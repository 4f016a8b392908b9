#!/usr/bin/env python3
"""Converts Keras .h5 weights (model.save_weights or model.save in HDF5) to a safetensors file CnnDsl loads.

  convert_keras_h5.py WEIGHTS.h5 OUT.safetensors

Keras stores each layer's weights under its name, channels last; CnnDsl's zoo models (xception, mobilenet) keep Keras'
layer names, so the keys follow from the layer names, and the tensors are transposed to PyTorch's layout:
  Conv2D kernel (kh, kw, in, out)             -> NAME.weight (out, in, kh, kw); bias -> NAME.bias
  DepthwiseConv2D depthwise_kernel (kh, kw, in, m) -> NAME.weight (in * m, 1, kh, kw), output channel c * m + q as in Keras
  SeparableConv2D depthwise_kernel, pointwise_kernel (1, 1, in * m, out), bias
                                              -> NAME.depthwise.weight, NAME.pointwise.weight, NAME.pointwise.bias
  Dense kernel (in, out)                      -> NAME.weight (out, in); bias -> NAME.bias
  BatchNormalization gamma, beta, moving_mean, moving_variance
                                              -> NAME.weight, NAME.bias, NAME.running_mean, NAME.running_var, and
                                                 NAME.num_batches_tracked = 0 (Keras keeps no such count)
  GroupNormalization, LayerNormalization gamma, beta
                                              -> NAME.weight, NAME.bias (groupnorm, layernorm: one scale and shift per channel)
Needs h5py and numpy (Debian: python3-h5py), not Keras or PyTorch.
"""
import json, struct, sys
import h5py
import numpy as np


def layer_weights(root):
    """(layer name, {weight suffix: array}) in Keras' layer order."""
    if "model_weights" in root:
        root = root["model_weights"]
    for raw in root.attrs["layer_names"]:
        name = raw.decode() if isinstance(raw, bytes) else raw
        group = root[name]
        weights = {}
        for raw_weight in group.attrs.get("weight_names", []):
            weight = raw_weight.decode() if isinstance(raw_weight, bytes) else raw_weight
            # 'block1_conv1/kernel:0' (or 'block1_conv1/block1_conv1/kernel:0' in some versions): the last part names it.
            suffix = weight.split("/")[-1].split(":")[0]
            weights[suffix] = np.asarray(group[weight])
        if weights:
            yield name, weights


def depthwise(kernel):
    kh, kw, channels, multiplier = kernel.shape
    return np.ascontiguousarray(kernel.reshape(kh, kw, channels * multiplier).transpose(2, 0, 1)[:, None, :, :])


def convert(name, w):
    if "depthwise_kernel" in w and "pointwise_kernel" in w:
        yield name + ".depthwise.weight", depthwise(w["depthwise_kernel"])
        yield name + ".pointwise.weight", np.ascontiguousarray(w["pointwise_kernel"].transpose(3, 2, 0, 1))
        if "bias" in w:
            yield name + ".pointwise.bias", w["bias"]
    elif "depthwise_kernel" in w:
        yield name + ".weight", depthwise(w["depthwise_kernel"])
        if "bias" in w:
            yield name + ".bias", w["bias"]
    elif "kernel" in w and w["kernel"].ndim == 4:
        yield name + ".weight", np.ascontiguousarray(w["kernel"].transpose(3, 2, 0, 1))
        if "bias" in w:
            yield name + ".bias", w["bias"]
    elif "kernel" in w and w["kernel"].ndim == 2:
        yield name + ".weight", np.ascontiguousarray(w["kernel"].T)
        if "bias" in w:
            yield name + ".bias", w["bias"]
    elif "moving_mean" in w:
        yield name + ".weight", w["gamma"]
        yield name + ".bias", w["beta"]
        yield name + ".running_mean", w["moving_mean"]
        yield name + ".running_var", w["moving_variance"]
        yield name + ".num_batches_tracked", np.array(0, dtype=np.int64)
    elif "gamma" in w and "beta" in w:
        yield name + ".weight", w["gamma"]
        yield name + ".bias", w["beta"]
    else:
        raise ValueError(f"layer '{name}' has weights {sorted(w)}, which this converter does not know")


def write_safetensors(path, tensors):
    types = {np.dtype("float32"): "F32", np.dtype("float64"): "F64", np.dtype("int64"): "I64"}
    header, blobs, offset = {}, [], 0
    for name, array in tensors:
        # np.ascontiguousarray would turn a scalar (num_batches_tracked) into a vector of one.
        array = np.array(array, order="C")
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        data = array.tobytes()
        header[name] = {"dtype": types[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with h5py.File(sys.argv[1], "r") as root:
        tensors = [t for name, weights in layer_weights(root) for t in convert(name, weights)]
    write_safetensors(sys.argv[2], tensors)
    print(json.dumps({"tensors": len(tensors)}))


if __name__ == "__main__":
    main()
