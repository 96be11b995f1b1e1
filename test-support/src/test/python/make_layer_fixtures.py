#!/usr/bin/python3
"""Writes highlevel/src/test/resources/fixtures/layers.json: forward values of Keras-style layers
computed with PyTorch, for KerasLayersFixtureTest (the tests need no Python).

Run from the repository root with the system's PyTorch (Debian's python3-torch):
    /usr/bin/python3 test-support/src/test/python/make_layer_fixtures.py

Each case names the Java layer ("layer"), its arguments, its inputs ("x" or "x0", "x1"), its weights
in Keras's layouts under "w_<keras weight name>", and the output "out". Javelin is NHWC with Keras's
kernel layouts; PyTorch is NCHW with its own, so each case converts on the way in and out:
  Conv2DTranspose kernel [kh, kw, filters, in]   -> ConvTranspose2d weight [in, filters, kh, kw]
  DepthwiseConv2D kernel [kh, kw, C, m]          -> conv2d weight [C*m, 1, kh, kw], groups C
  "same" padding is TensorFlow's (the odd pixel at the bottom/right): for a transposed convolution
  the full output is computed and cropped by the forward convolution's padding.
Seeded, so reruns give the same file.
"""
import json
import os

import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
OUT = os.path.join(ROOT, "highlevel", "src", "test", "resources", "fixtures")
torch.manual_seed(2026)


def enc(t):
    t = t.detach().contiguous().to(torch.float32)
    return {"shape": list(t.shape), "dtype": "float32", "data": [float("%.9g" % v) for v in t.reshape(-1).tolist()]}


def rnd(*shape):
    """Uniform in [-2, 2) rounded to 3 decimals, so float32 parses back exactly."""
    return torch.round((torch.rand(*shape, dtype=torch.float64) * 4 - 2) * 1000).div(1000).to(torch.float32)


def nchw(x):
    return x.permute(0, 3, 1, 2)


def nhwc(x):
    return x.permute(0, 2, 3, 1)


def same_total(size, k, s, d=1):
    out = (size + s - 1) // s
    return max((out - 1) * s + (k - 1) * d + 1 - size, 0)


cases = []


def add(name, layer, inputs, weights, out, **attrs):
    case = {"name": name, "layer": layer}
    for k, v in inputs.items():
        case[k] = enc(v)
    for k, v in weights.items():
        case["w_" + k] = enc(v)
    case.update(attrs)
    case["out"] = enc(out)
    cases.append(case)


def conv_transpose():
    for name, (n, h, w, cin, f, k, s, d, padding) in {
        "conv2d_transpose valid stride 2x1": (2, 4, 5, 3, 4, (3, 2), (2, 1), (1, 1), "valid"),
        "conv2d_transpose same stride 2": (1, 3, 4, 2, 3, (3, 3), (2, 2), (1, 1), "same"),
        "conv2d_transpose valid dilation 2": (1, 3, 3, 2, 2, (2, 3), (1, 1), (2, 2), "valid"),
    }.items():
        x, kernel, bias = rnd(n, h, w, cin), rnd(k[0], k[1], f, cin), rnd(f)
        y = F.conv_transpose2d(nchw(x), kernel.permute(3, 2, 0, 1), bias, stride=s, dilation=d)
        if padding == "same":
            oh, ow = h * s[0], w * s[1]
            top = same_total(oh, k[0], s[0], d[0]) // 2
            left = same_total(ow, k[1], s[1], d[1]) // 2
            y = y[:, :, top:top + oh, left:left + ow]
        add(name, "Conv2DTranspose", {"x": x}, {"kernel": kernel, "bias": bias}, nhwc(y), filters=f, kernel_size=list(k),
            strides=list(s), dilation_rate=list(d), padding=padding)


def depthwise_weight(kernel):
    kh, kw, c, m = kernel.shape
    return kernel.reshape(kh, kw, c * m).permute(2, 0, 1).unsqueeze(1)


def depthwise_and_separable():
    x, kernel, bias = rnd(1, 6, 5, 3), rnd(3, 3, 3, 2), rnd(6)
    y = F.conv2d(nchw(x), depthwise_weight(kernel), bias, stride=2, groups=3)
    add("depthwise valid stride 2, multiplier 2", "DepthwiseConv2D", {"x": x}, {"kernel": kernel, "bias": bias}, nhwc(y),
        kernel_size=[3, 3], strides=[2, 2], padding="valid", depth_multiplier=2)
    x, kernel, bias = rnd(1, 4, 4, 2), rnd(3, 3, 2, 1), rnd(2)
    y = F.conv2d(F.pad(nchw(x), (1, 1, 1, 1)), depthwise_weight(kernel), bias, groups=2)
    add("depthwise same", "DepthwiseConv2D", {"x": x}, {"kernel": kernel, "bias": bias}, nhwc(y),
        kernel_size=[3, 3], strides=[1, 1], padding="same", depth_multiplier=1)
    x, dk, pk, bias = rnd(2, 5, 5, 3), rnd(3, 3, 3, 1), rnd(1, 1, 3, 4), rnd(4)
    d = F.conv2d(nchw(x), depthwise_weight(dk), None, groups=3)
    y = F.conv2d(d, pk.permute(3, 2, 0, 1), bias)
    add("separable valid", "SeparableConv2D", {"x": x}, {"depthwise_kernel": dk, "pointwise_kernel": pk, "bias": bias}, nhwc(y),
        filters=4, kernel_size=[3, 3], strides=[1, 1], padding="valid", depth_multiplier=1)


def resizing_and_margins():
    x = rnd(1, 3, 4, 2)
    add("upsampling nearest 2x3", "UpSampling2D", {"x": x}, {}, nhwc(F.interpolate(nchw(x), scale_factor=(2, 3), mode="nearest")),
        size=[2, 3], interpolation="nearest")
    for s in ([2, 2], [3, 2]):
        y = F.interpolate(nchw(x), scale_factor=tuple(s), mode="bilinear", align_corners=False)
        add("upsampling bilinear %dx%d" % tuple(s), "UpSampling2D", {"x": x}, {}, nhwc(y), size=s, interpolation="bilinear")
    add("zero padding", "ZeroPadding2D", {"x": x}, {}, nhwc(F.pad(nchw(x), (0, 3, 1, 2))), padding=[[1, 2], [0, 3]])
    add("cropping", "Cropping2D", {"x": x}, {}, x[:, 0:2, 2:3, :], cropping=[[0, 1], [2, 1]])
    add("global max pooling", "GlobalMaxPooling2D", {"x": x}, {}, torch.amax(x, dim=(1, 2)))


def normalization_and_activations():
    x, gamma, beta = rnd(2, 3, 4, 6), rnd(6), rnd(6)
    add("group normalization 3 groups", "GroupNormalization", {"x": x}, {"gamma": gamma, "beta": beta},
        nhwc(F.group_norm(nchw(x), 3, gamma, beta, 1e-3)), groups=3, epsilon=1e-3)
    x2 = rnd(3, 5, 4)
    add("group normalization on sequences, 2 groups", "GroupNormalization", {"x": x2}, {"gamma": gamma[:4], "beta": beta[:4]},
        F.group_norm(x2.permute(0, 2, 1), 2, gamma[:4], beta[:4], 1e-3).permute(0, 2, 1), groups=2, epsilon=1e-3)
    alpha = rnd(2)
    add("prelu shared over height and width", "PReLU", {"x": x[..., :2]}, {"alpha": alpha.reshape(1, 1, 2)},
        nhwc(F.prelu(nchw(x[..., :2].contiguous()), alpha)), shared_axes=[1, 2])
    y = rnd(3, 4)
    add("elu alpha 0.7", "ELU", {"x": y}, {}, F.elu(y, 0.7), alpha=0.7)
    add("leaky relu 0.3", "LeakyReLU", {"x": y}, {}, F.leaky_relu(y, 0.3), negative_slope=0.3)
    capped = torch.where(y >= 0.5, y, 0.1 * (y - 0.5)).clamp(max=1.2)
    add("relu with max 1.2, slope 0.1, threshold 0.5", "ReLU", {"x": y}, {}, capped, max_value=1.2, negative_slope=0.1, threshold=0.5)
    add("softmax over axis 1", "Softmax", {"x": x2}, {}, torch.softmax(x2, 1), axis=1)


def ncdhw(x):
    return x.permute(0, 4, 1, 2, 3)


def ndhwc(x):
    return x.permute(0, 2, 3, 4, 1)


def volumes_and_sequences():
    v = rnd(1, 4, 5, 3, 2)
    add("max pooling 3d valid 2", "MaxPooling3D", {"x": v}, {}, ndhwc(F.max_pool3d(ncdhw(v), 2)), pool_size=[2, 2, 2], padding="valid")
    add("average pooling 3d valid 2x2x1 stride 1", "AveragePooling3D", {"x": v}, {},
        ndhwc(F.avg_pool3d(ncdhw(v), (2, 2, 1), stride=1)), pool_size=[2, 2, 1], strides=[1, 1, 1], padding="valid")
    pads = [(same_total(n, 3, 2) // 2, same_total(n, 3, 2) - same_total(n, 3, 2) // 2) for n in v.shape[1:4]]
    flat = [p for pair in reversed(pads) for p in pair]  # F.pad takes the last axis first
    padded_max = F.pad(ncdhw(v), flat, value=float("-inf"))
    add("max pooling 3d same 3 stride 2", "MaxPooling3D", {"x": v}, {}, ndhwc(F.max_pool3d(padded_max, 3, stride=2)),
        pool_size=[3, 3, 3], strides=[2, 2, 2], padding="same")
    sums = F.avg_pool3d(F.pad(ncdhw(v), flat), 3, stride=2, divisor_override=1)
    counts = F.avg_pool3d(F.pad(torch.ones_like(ncdhw(v)), flat), 3, stride=2, divisor_override=1)
    add("average pooling 3d same 3 stride 2 (real entries only)", "AveragePooling3D", {"x": v}, {}, ndhwc(sums / counts),
        pool_size=[3, 3, 3], strides=[2, 2, 2], padding="same")
    add("global average pooling 3d", "GlobalAveragePooling3D", {"x": v}, {}, v.mean(dim=(1, 2, 3)))
    add("global max pooling 3d keepdims", "GlobalMaxPooling3D", {"x": v}, {}, torch.amax(v, dim=(1, 2, 3), keepdim=True), keepdims=True)
    add("upsampling 3d 1x2x3", "UpSampling3D", {"x": v}, {}, ndhwc(F.interpolate(ncdhw(v), scale_factor=(1, 2, 3), mode="nearest")),
        size=[1, 2, 3])
    add("zero padding 3d", "ZeroPadding3D", {"x": v}, {}, ndhwc(F.pad(ncdhw(v), (0, 1, 2, 0, 1, 1))), padding=[[1, 1], [2, 0], [0, 1]])
    add("cropping 3d", "Cropping3D", {"x": v}, {}, v[:, 1:3, 0:3, 1:2, :], cropping=[[1, 1], [0, 2], [1, 1]])
    s = rnd(2, 5, 3)
    add("upsampling 1d 3", "UpSampling1D", {"x": s}, {}, torch.repeat_interleave(s, 3, dim=1), size=3)
    add("zero padding 1d", "ZeroPadding1D", {"x": s}, {}, F.pad(s.permute(0, 2, 1), (2, 1)).permute(0, 2, 1), padding=[2, 1])
    add("cropping 1d", "Cropping1D", {"x": s}, {}, s[:, 1:4, :], cropping=[1, 1])
    add("unit normalization", "UnitNormalization", {"x": s}, {}, F.normalize(s, dim=-1, eps=1e-6), axis=-1)
    scale = rnd(3)
    add("rms normalization", "RMSNormalization", {"x": s}, {"scale": scale},
        s * torch.rsqrt(s.pow(2).mean(-1, keepdim=True) + 1e-6) * scale, epsilon=1e-6)


def more_convolutions():
    s, kernel, bias = rnd(2, 4, 3), rnd(3, 2, 3), rnd(2)
    y = F.conv_transpose1d(s.permute(0, 2, 1), kernel.permute(2, 1, 0), bias, stride=2)
    add("conv1d_transpose valid stride 2", "Conv1DTranspose", {"x": s}, {"kernel": kernel, "bias": bias}, y.permute(0, 2, 1),
        filters=2, kernel_size=[3], strides=[2], padding="valid")
    dk, bias = rnd(3, 3, 2), rnd(6)
    y = F.conv1d(F.pad(s.permute(0, 2, 1), (1, 1)), dk.reshape(3, 6).permute(1, 0).unsqueeze(1), bias, groups=3)
    add("depthwise conv1d same, multiplier 2", "DepthwiseConv1D", {"x": s}, {"kernel": dk, "bias": bias}, y.permute(0, 2, 1),
        kernel_size=[3], strides=[1], padding="same", depth_multiplier=2)
    dk, pk, bias = rnd(2, 3, 1), rnd(1, 3, 4), rnd(4)
    d = F.conv1d(s.permute(0, 2, 1), dk.reshape(2, 3).permute(1, 0).unsqueeze(1), None, groups=3)
    y = F.conv1d(d, pk.permute(2, 1, 0), bias)
    add("separable conv1d valid", "SeparableConv1D", {"x": s}, {"depthwise_kernel": dk, "pointwise_kernel": pk, "bias": bias},
        y.permute(0, 2, 1), filters=4, kernel_size=[2], strides=[1], padding="valid")
    v, kernel, bias = rnd(1, 4, 5, 4, 2), rnd(2, 3, 2, 2, 3), rnd(3)
    y = F.conv3d(ncdhw(v), kernel.permute(4, 3, 0, 1, 2), bias, stride=(2, 1, 1), dilation=(1, 1, 2))
    add("conv3d valid, strides and dilation", "Conv3D", {"x": v}, {"kernel": kernel, "bias": bias}, ndhwc(y), filters=3,
        kernel_size=[2, 3, 2], strides=[2, 1, 1], dilation_rate=[1, 1, 2], padding="valid")
    pads = [same_total(n, 3, 1) for n in v.shape[1:4]]
    kernel = rnd(3, 3, 3, 1, 2)
    flat = [p for t in reversed(pads) for p in (t // 2, t - t // 2)]
    y = F.conv3d(F.pad(ncdhw(v), flat), kernel.permute(4, 3, 0, 1, 2), None, groups=2)
    add("conv3d same, 2 groups, no bias", "Conv3D", {"x": v}, {"kernel": kernel}, ndhwc(y), filters=2, kernel_size=[3, 3, 3],
        padding="same", groups=2, use_bias=False)
    v, kernel, bias = rnd(1, 2, 3, 2, 2), rnd(2, 3, 2, 3, 2), rnd(3)
    y = F.conv_transpose3d(ncdhw(v), kernel.permute(4, 3, 0, 1, 2), bias, stride=(2, 1, 2))
    add("conv3d_transpose valid strides 2x1x2", "Conv3DTranspose", {"x": v}, {"kernel": kernel, "bias": bias}, ndhwc(y), filters=3,
        kernel_size=[2, 3, 2], strides=[2, 1, 2], padding="valid")
    kernel = rnd(3, 3, 3, 2, 2)
    y = F.conv_transpose3d(ncdhw(v), kernel.permute(4, 3, 0, 1, 2), None, stride=2)
    lead = [same_total(n * 2, 3, 2) // 2 for n in v.shape[1:4]]
    y = y[:, :, lead[0]:lead[0] + 4, lead[1]:lead[1] + 6, lead[2]:lead[2] + 4]
    add("conv3d_transpose same stride 2, no bias", "Conv3DTranspose", {"x": v}, {"kernel": kernel}, ndhwc(y), filters=2,
        kernel_size=[3, 3, 3], strides=[2, 2, 2], padding="same", use_bias=False)
    x, kernel, bias = rnd(2, 3, 4), rnd(4, 5, 2), rnd(5, 1)
    add("einsum dense with bias on one axis", "EinsumDense", {"x": x}, {"kernel": kernel, "bias": bias},
        torch.einsum("abc,cde->abde", x, kernel) + bias, equation="abc,cde->abde", output_shape=[3, 5, 2], bias_axes="d")


def merging():
    a, b = rnd(2, 3, 4), rnd(2, 5, 4)
    add("dot along the feature axes", "Dot", {"x0": a, "x1": b}, {}, torch.bmm(a, b.transpose(1, 2)), axes=[2, 2], normalize=False)
    u, v = rnd(3, 4), rnd(3, 4)
    cos = (F.normalize(u, dim=1, eps=1e-6) * F.normalize(v, dim=1, eps=1e-6)).sum(1, keepdim=True)
    add("dot normalized (cosine)", "Dot", {"x0": u, "x1": v}, {}, cos, axes=[1, 1], normalize=True)


conv_transpose()
depthwise_and_separable()
resizing_and_margins()
normalization_and_activations()
volumes_and_sequences()
more_convolutions()
merging()
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "layers.json"), "w") as f:
    json.dump({"generator": "test-support/src/test/python/make_layer_fixtures.py", "torch": torch.__version__, "cases": cases}, f,
              separators=(",", ":"))
print("wrote %d cases to %s" % (len(cases), os.path.join(OUT, "layers.json")))
