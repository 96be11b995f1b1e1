#!/usr/bin/python3
"""Writes the PyTorch reference fixtures the Java tests compare against (the tests need no Python).

Run from the repository root with the system's PyTorch (Debian's python3-torch):
    /usr/bin/python3 test-support/src/test/python/make_fixtures.py

Output: test-support/src/test/resources/fixtures/{elementwise,reductions,contractions,indexing,arrays,composites}.json
and autodiff/src/test/resources/fixtures/grad_fixtures.json. Everything is seeded, so reruns give the
same files.

Layout notes: Javelin is NHWC with HWIO filters [KH, KW, Cin/groups, Cout]; PyTorch is NCHW with OIHW
filters, so convolution and pooling cases permute on the way in and out. "same" padding is
TensorFlow's (the odd pixel goes to the bottom/right), applied here with an explicit F.pad.

A case's "views" entry names a view the Java test applies to a stored input before the op, exactly as
this script does, so the op sees a non-contiguous input: "transpose:a,b" swaps two axes and
"slice:axis,start,stop,step" slices one; several are joined with ';'.

grad_fixtures.json (for the autodiff tests) holds float64 cases: the inputs by name (integer ones such as
"labels" or "index" keep their dtype), the op's attributes, the forward "out", the upstream gradient "dy",
"wrt" (the inputs differentiated) and "grad_<input>" for each of them: the gradient of sum(out * dy).
Ops: matmul, conv2d (stride, same/valid padding, groups), max/avg pooling, sparse softmax cross-entropy
(per example, from logits), layer norm (x, gamma, beta) and gather.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TENSOR_OUT = os.path.join(ROOT, "test-support", "src", "test", "resources", "fixtures")
GRAD_OUT = os.path.join(ROOT, "autodiff", "src", "test", "resources", "fixtures")

torch.manual_seed(1234)
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.int32: "int32",
          torch.int64: "int64", torch.bool: "bool"}


def enc(t):
    """A tensor as {"shape", "dtype", "data"}; floats with just enough digits to round-trip."""
    t = t.detach().contiguous()
    dt = DTYPES[t.dtype]
    flat = t.reshape(-1).tolist()
    if dt == "float32":
        flat = [float("%.9g" % v) for v in flat]
    elif dt == "bool":
        flat = [bool(v) for v in flat]
    return {"shape": list(t.shape), "dtype": dt, "data": flat}


def rnd(*shape, lo=-2.0, hi=2.0, dtype=torch.float32):
    """Uniform values rounded to 3 decimals, so the JSON stays short and float32 parses back exactly."""
    x = torch.rand(*shape, dtype=torch.float64) * (hi - lo) + lo
    return torch.round(x * 1000).div(1000).to(dtype)


def apply_views(t, views):
    for v in [v for v in (views or "").split(";") if v]:
        kind, args = v.split(":")
        a = [int(s) for s in args.split(",")]
        if kind == "transpose":
            t = t.transpose(a[0], a[1])
        elif kind == "slice":
            idx = [slice(None)] * t.dim()
            idx[a[0]] = slice(a[1], a[2], a[3])
            t = t[tuple(idx)]
        else:
            raise ValueError(v)
    return t


class Cases:
    def __init__(self):
        self.cases = []

    def add(self, name, op, inputs, out, views=None, **attrs):
        case = {"name": name, "op": op}
        for k, v in inputs.items():
            case[k] = enc(v)
        if views:
            case["views"] = views
        case.update(attrs)
        if isinstance(out, (list, tuple)):
            for i, o in enumerate(out):
                case["out%d" % i] = enc(o)
        else:
            case["out"] = enc(out)
        self.cases.append(case)

    def write(self, directory, filename):
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, filename), "w") as f:
            json.dump({"generator": "test-support/src/test/python/make_fixtures.py", "torch": torch.__version__,
                       "cases": self.cases}, f, separators=(",", ":"))


def viewed(inputs, views):
    return {k: apply_views(v, views.get(k)) for k, v in inputs.items()}


# ---- elementwise ---------------------------------------------------------------------------------

def elementwise():
    c = Cases()
    unary = {
        "neg": torch.neg, "abs": torch.abs, "exp": torch.exp, "sin": torch.sin, "cos": torch.cos,
        "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "sign": torch.sign,
        "floor": torch.floor, "ceil": torch.ceil, "erf": torch.erf,
    }
    for name, fn in unary.items():
        x = rnd(3, 4, lo=-3, hi=3)
        c.add(name + "_transposed", name, {"x": x}, fn(x.transpose(0, 1)), views={"x": "transpose:0,1"})
    positive = {"log": torch.log, "sqrt": torch.sqrt, "reciprocal": torch.reciprocal}
    for name, fn in positive.items():
        x = rnd(4, 5, lo=0.1, hi=4)
        c.add(name + "_strided", name, {"x": x}, fn(x[:, 1::2]), views={"x": "slice:1,1,5,2"})
    r = torch.tensor([[0.5, 1.5, 2.5, -0.5], [-1.5, -2.5, 3.49, 3.51]], dtype=torch.float32)
    c.add("round_half_even", "round", {"x": r}, torch.round(r))
    xi = torch.tensor([[-3, 0, 5], [7, -1, 2]], dtype=torch.int32)
    c.add("neg_int32", "neg", {"x": xi}, torch.neg(xi))
    c.add("abs_int64", "abs", {"x": xi.long()}, torch.abs(xi.long()))
    b = torch.tensor([True, False, True])
    c.add("logical_not", "logical_not", {"x": b}, torch.logical_not(b))

    binary = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div,
              "maximum": torch.maximum, "minimum": torch.minimum, "eq": torch.eq, "ne": torch.ne,
              "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}
    for name, fn in binary.items():
        a = rnd(2, 3, 4)
        bb = rnd(3, 1)
        if name in ("eq", "ne", "le", "ge"):  # make some elements equal
            bb[0, 0] = a[0, 0, 0]
        c.add(name + "_broadcast", name, {"a": a, "b": bb}, fn(a, bb))
    a = rnd(4, 3, lo=0.1, hi=3)
    p = rnd(3, 1, lo=-2, hi=2)
    c.add("pow_broadcast_transposed", "pow", {"a": a, "b": p}, torch.pow(a.transpose(0, 1), p), views={"a": "transpose:0,1"})
    n = torch.tensor([1.0, float("nan"), 3.0])
    m = torch.tensor([2.0, 0.0, float("nan")])
    c.add("maximum_nan", "maximum", {"a": n, "b": m}, torch.maximum(n, m))
    c.add("minimum_nan", "minimum", {"a": n, "b": m}, torch.minimum(n, m))
    ia = torch.tensor([[1, -2, 3]], dtype=torch.int64)
    ib = torch.tensor([[4], [5]], dtype=torch.int32)
    c.add("add_int_promote", "add", {"a": ia, "b": ib}, torch.add(ia, ib))
    c.add("div_int_true_division", "div", {"a": ia, "b": ib}, torch.div(ia, ib).float())
    af = rnd(2, 3)
    bd = rnd(3, dtype=torch.float64)
    c.add("mul_float32_float64", "mul", {"a": af, "b": bd}, af.double() * bd)
    cond = torch.rand(3, 4) > 0.5
    x = rnd(3, 1)
    y = rnd(4)
    c.add("where_broadcast", "where", {"cond": cond, "a": x, "b": y}, torch.where(cond, x, y))
    rt = torch.tensor([[0.5, -0.5], [1.5, -1.5], [2.5, -2.5], [3.5, 0.49]])  # viewed transposed
    c.add("round_half_even_transposed", "round", {"x": rt}, torch.round(rt.t()), views={"x": "transpose:0,1"})
    bs = torch.tensor([True, False, False, True, True, False])
    c.add("logical_not_strided", "logical_not", {"x": bs}, torch.logical_not(bs[::2]), views={"x": "slice:0,0,6,2"})
    ii = torch.tensor([[4, -6], [-1, 3], [0, 2]], dtype=torch.int64)
    c.add("sign_int64_transposed", "sign", {"x": ii}, torch.sign(ii.t()), views={"x": "transpose:0,1"})
    c.add("lt_int_broadcast", "lt", {"a": ii, "b": torch.tensor([0, 2], dtype=torch.int32)},
          torch.lt(ii, torch.tensor([0, 2], dtype=torch.int32)))
    return c


# ---- reductions ----------------------------------------------------------------------------------

def reductions():
    c = Cases()
    x = rnd(3, 4, 5)
    for keep in (False, True):
        for axes in ([1], [0, 2], [-1], []):
            dims = axes if axes else [0, 1, 2]
            suffix = "_".join(str(a) for a in axes) or "all"
            k = "_keep" if keep else ""
            c.add("sum_%s%s" % (suffix, k), "sum", {"x": x}, x.sum(dim=dims, keepdim=keep), axes=axes, keepDims=keep)
            c.add("max_%s%s" % (suffix, k), "max", {"x": x}, x.amax(dim=dims, keepdim=keep), axes=axes, keepDims=keep)
            c.add("min_%s%s" % (suffix, k), "min", {"x": x}, x.amin(dim=dims, keepdim=keep), axes=axes, keepDims=keep)
    t = rnd(5, 4)
    xt = t.transpose(0, 1)
    c.add("sum_transposed_axis1", "sum", {"x": t}, xt.sum(dim=1), axes=[1], keepDims=False, views={"x": "transpose:0,1"})
    c.add("max_strided_axis0", "max", {"x": t}, t[::2].amax(dim=0, keepdim=True), axes=[0], keepDims=True,
          views={"x": "slice:0,0,5,2"})
    ties = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, -1.0, -1.0], [0.0, 5.0, -4.0, 5.0]])
    for axis in (0, 1, -1):
        c.add("argmax_axis%d" % axis, "argmax", {"x": ties}, torch.argmax(ties, dim=axis), axes=[axis], keepDims=False)
        c.add("argmin_axis%d" % axis, "argmin", {"x": ties}, torch.argmin(ties, dim=axis), axes=[axis], keepDims=False)
    c.add("argmax_transposed_keep", "argmax", {"x": t}, torch.argmax(xt, dim=1, keepdim=True), axes=[1], keepDims=True,
          views={"x": "transpose:0,1"})
    xi = torch.randint(-9, 9, (3, 4), dtype=torch.int32)
    c.add("sum_int32_to_int64", "sum", {"x": xi}, xi.sum(dim=1), axes=[1], keepDims=False)
    c.add("max_int32", "max", {"x": xi}, xi.amax(dim=0), axes=[0], keepDims=False)
    c.add("min_strided_axis1", "min", {"x": t}, t[:, ::2].amin(dim=1), axes=[1], keepDims=False,
          views={"x": "slice:1,0,4,2"})
    return c


# ---- contractions: matmul, conv2d, pooling -------------------------------------------------------

def same_pad(n, k, s, d=1):
    span = (k - 1) * d + 1
    out = -(-n // s)
    total = max((out - 1) * s + span - n, 0)
    return total // 2, total - total // 2


def torch_conv_nhwc(x, f, strides, padding, dilation, groups):
    xc = x.permute(0, 3, 1, 2)
    w = f.permute(3, 2, 0, 1)  # HWIO -> OIHW
    if padding == "same":
        pt, pb = same_pad(x.shape[1], f.shape[0], strides[0], dilation[0])
        pl, pr = same_pad(x.shape[2], f.shape[1], strides[1], dilation[1])
        xc = F.pad(xc, (pl, pr, pt, pb))
    y = F.conv2d(xc, w, stride=strides, dilation=dilation, groups=groups)
    return y.permute(0, 2, 3, 1)


def torch_pool_nhwc(x, pool, strides, padding, kind):
    xc = x.permute(0, 3, 1, 2)
    pt = pb = pl = pr = 0
    if padding == "same":
        pt, pb = same_pad(x.shape[1], pool[0], strides[0])
        pl, pr = same_pad(x.shape[2], pool[1], strides[1])
    if kind == "max":
        y = F.max_pool2d(F.pad(xc, (pl, pr, pt, pb), value=-math.inf), pool, strides)
    else:
        sums = F.avg_pool2d(F.pad(xc, (pl, pr, pt, pb)), pool, strides) * (pool[0] * pool[1])
        ones = torch.ones(1, 1, x.shape[1], x.shape[2], dtype=x.dtype)
        counts = F.avg_pool2d(F.pad(ones, (pl, pr, pt, pb)), pool, strides) * (pool[0] * pool[1])
        y = sums / counts
    return y.permute(0, 2, 3, 1)


def contractions():
    c = Cases()
    a = rnd(2, 3, 4)
    b = rnd(4, 5)
    c.add("matmul_batch_broadcast", "matmul", {"a": a, "b": b}, a @ b)
    a2 = rnd(5, 3)  # viewed as [3, 5]
    b2 = rnd(2, 1, 5, 4)
    c.add("matmul_transposed_batch", "matmul", {"a": a2, "b": b2}, a2.t() @ b2, views={"a": "transpose:0,1"})
    v = rnd(4)
    c.add("matmul_vector", "matmul", {"a": a, "b": v}, a @ v)
    c.add("matmul_float64", "matmul", {"a": a.double(), "b": b.double()}, a.double() @ b.double())

    conv_cases = [
        ("conv2d_valid", (2, 5, 6, 3), (3, 3, 3, 4), (1, 1), "valid", (1, 1), 1),
        ("conv2d_same_stride2", (1, 7, 6, 2), (3, 3, 2, 3), (2, 2), "same", (1, 1), 1),
        ("conv2d_same_even_kernel", (1, 5, 5, 2), (2, 4, 2, 2), (1, 2), "same", (1, 1), 1),
        ("conv2d_dilation", (1, 7, 7, 2), (3, 3, 2, 2), (1, 1), "valid", (2, 2), 1),
        ("conv2d_groups", (2, 5, 5, 4), (3, 3, 2, 6), (1, 1), "same", (1, 1), 2),
        ("conv2d_depthwise_stride", (1, 6, 6, 3), (3, 3, 1, 3), (2, 1), "same", (1, 1), 3),
    ]
    for name, xs, fs, s, pad, d, g in conv_cases:
        x = rnd(*xs)
        f = rnd(*fs, lo=-1, hi=1)
        c.add(name, "conv2d", {"x": x, "filter": f}, torch_conv_nhwc(x, f, s, pad, d, g),
              strides=list(s), padding=pad, dilation=list(d), groups=g)
    x = rnd(1, 4, 5, 2)  # viewed with H and W swapped: [1, 5, 4, 2]
    f = rnd(3, 3, 2, 2, lo=-1, hi=1)
    xv = x.transpose(1, 2)
    c.add("conv2d_transposed_input", "conv2d", {"x": x, "filter": f}, torch_conv_nhwc(xv, f, (1, 1), "same", (1, 1), 1),
          views={"x": "transpose:1,2"}, strides=[1, 1], padding="same", dilation=[1, 1], groups=1)

    pool_cases = [
        ("pool_valid_2x2", (2, 6, 6, 3), (2, 2), (2, 2), "valid"),
        ("pool_same_3x3_s2", (1, 7, 5, 2), (3, 3), (2, 2), "same"),
        ("pool_same_2x2_odd", (1, 5, 5, 1), (2, 2), (2, 2), "same"),
        ("pool_valid_overlap", (1, 6, 5, 2), (3, 2), (1, 2), "valid"),
    ]
    for name, xs, pool, s, pad in pool_cases:
        x = rnd(*xs)
        for kind in ("max", "avg"):
            c.add(kind + "_" + name, kind + "_pool2d", {"x": x}, torch_pool_nhwc(x, pool, s, pad, kind),
                  pool=list(pool), strides=list(s), padding=pad)
    x = rnd(1, 5, 6, 2)
    xv = x.transpose(1, 2)
    for kind in ("max", "avg"):
        c.add(kind + "_pool_transposed_same", kind + "_pool2d", {"x": x}, torch_pool_nhwc(xv, (2, 2), (2, 2), "same", kind),
              views={"x": "transpose:1,2"}, pool=[2, 2], strides=[2, 2], padding="same")
    # The two convolution-gradient primitives, from PyTorch's autograd of the forward above.
    for name, xs, fs, s_, pad, g in [("s2_same_groups2", (2, 7, 6, 4), (3, 3, 2, 6), (2, 2), "same", 2),
                                     ("s1_valid_dil", (1, 6, 7, 3), (2, 3, 3, 2), (1, 2), "valid", 1)]:
        x = rnd(*xs).double().requires_grad_(True)
        f = rnd(*fs, lo=-1, hi=1).double().requires_grad_(True)
        d = (1, 1) if name != "s1_valid_dil" else (2, 1)
        y = torch_conv_nhwc(x, f, s_, pad, d, g)
        dy = rnd(*y.shape, lo=-1, hi=1, dtype=torch.float64)
        y.backward(dy)
        pads = [0, 0, 0, 0]
        if pad == "same":
            pads = list(same_pad(xs[1], fs[0], s_[0], d[0]) + same_pad(xs[2], fs[1], s_[1], d[1]))
        geometry = dict(strides=list(s_), pads=pads, dilation=list(d), groups=g)
        c.add("conv2d_backward_input_" + name, "conv2d_backward_input", {"dy": dy, "filter": f}, x.grad,
              input_shape=list(xs), **geometry)
        c.add("conv2d_backward_filter_" + name, "conv2d_backward_filter", {"x": x, "dy": dy}, f.grad,
              filter_shape=list(fs), **geometry)
    return c


# ---- indexing ------------------------------------------------------------------------------------

def indexing():
    c = Cases()
    x = rnd(4, 5)
    idx = torch.randint(0, 5, (3, 5))
    c.add("gather_axis1", "gather", {"x": x, "index": idx[:, :3]}, torch.gather(x, 1, idx[:, :3]), axis=1)
    idx0 = torch.randint(0, 4, (2, 5))
    c.add("gather_axis0", "gather", {"x": x, "index": idx0}, torch.gather(x, 0, idx0), axis=0)
    xt = x.t()  # [5, 4]
    idx_t = torch.randint(0, 4, (5, 2), dtype=torch.int32)
    c.add("gather_transposed_neg_axis", "gather", {"x": x, "index": idx_t}, torch.gather(xt, -1, idx_t.long()),
          axis=-1, views={"x": "transpose:0,1"})
    sel = torch.tensor([3, 0, 3, 1])
    c.add("index_select_axis0", "index_select", {"x": x, "index": sel}, torch.index_select(x, 0, sel), axis=0)
    c.add("index_select_axis1_transposed", "index_select", {"x": x, "index": sel[:2]},
          torch.index_select(xt, 1, sel[:2]), axis=1, views={"x": "transpose:0,1"})
    base = rnd(3, 4)
    sidx = torch.randint(0, 3, (5, 4))
    src = rnd(5, 4)
    c.add("scatter_add_axis0_repeats", "scatter_add", {"base": base, "index": sidx, "src": src},
          base.scatter_add(0, sidx, src), axis=0)
    sidx1 = torch.randint(0, 4, (3, 6))
    src1 = rnd(3, 6)
    c.add("scatter_add_axis1", "scatter_add", {"base": base, "index": sidx1, "src": src1},
          base.scatter_add(1, sidx1, src1), axis=1)
    labels = torch.tensor([[0, 2], [1, 3]])
    c.add("one_hot", "one_hot", {"labels": labels}, F.one_hot(labels, 4).float(), depth=4)
    base_t = rnd(4, 3)   # viewed as [3, 4]
    src_t = rnd(4, 5)    # viewed as [5, 4]
    sidx_t = torch.randint(0, 3, (5, 4))
    c.add("scatter_add_transposed", "scatter_add", {"base": base_t, "index": sidx_t, "src": src_t},
          base_t.t().scatter_add(0, sidx_t, src_t.t()), axis=0, views={"base": "transpose:0,1", "src": "transpose:0,1"})
    lab_t = torch.tensor([[3, 0], [1, 2]], dtype=torch.int32)
    c.add("one_hot_transposed_int32", "one_hot", {"labels": lab_t}, F.one_hot(lab_t.t().long(), 5).float(), depth=5,
          views={"labels": "transpose:0,1"})
    return c


# ---- arrays: concat, stack, split, pad, cast, tile -----------------------------------------------

def arrays():
    c = Cases()
    a = rnd(2, 3)
    b = rnd(2, 1)
    d = rnd(4, 2)  # viewed as [2, 4]
    c.add("concat_axis1_transposed", "concat", {"a": a, "b": b, "c": d}, torch.cat([a, b, d.t()], 1), axis=1,
          views={"c": "transpose:0,1"})
    e = rnd(1, 3)
    f = rnd(3, 3)
    c.add("concat_axis0_neg", "concat", {"a": a, "b": e, "c": f}, torch.cat([a, e, f], -2), axis=-2)
    c.add("stack_axis1", "stack", {"a": a, "b": a * 2, "c": a + 1}, torch.stack([a, a * 2, a + 1], 1), axis=1)
    x = rnd(3, 7)
    parts = torch.split(x.t(), [2, 4, 1], 0)
    c.add("split_sizes_transposed", "split", {"x": x}, list(parts), sizes=[2, 4, 1], axis=0, views={"x": "transpose:0,1"})
    x = rnd(2, 3, 4)
    c.add("pad_constant", "pad", {"x": x}, F.pad(x, (1, 2, 0, 1, 2, 0), value=-1.5), padding=[[2, 0], [0, 1], [1, 2]],
          value=-1.5)
    y = rnd(5, 4)
    c.add("pad_strided", "pad", {"x": y}, F.pad(y[::2], (0, 1, 1, 0)), padding=[[1, 0], [0, 1]], value=0.0,
          views={"x": "slice:0,0,5,2"})
    z = torch.tensor([[-1.7, -0.5, 0.0], [0.5, 1.5, 2.9]])
    c.add("cast_float_to_int32", "cast", {"x": z}, z.to(torch.int32), dtype="int32")
    c.add("cast_float_to_bool", "cast", {"x": z}, z.to(torch.bool), dtype="bool")
    zi = torch.tensor([[3, -2], [0, 7]], dtype=torch.int64)
    c.add("cast_int64_to_float64_transposed", "cast", {"x": zi}, zi.t().to(torch.float64), dtype="float64",
          views={"x": "transpose:0,1"})
    t = rnd(2, 3)
    c.add("tile", "tile", {"x": t}, t.repeat(2, 3), reps=[2, 3])
    at = rnd(3, 2)  # viewed as [2, 3]
    c.add("stack_transposed_neg_axis", "stack", {"a": at, "b": a, "c": a}, torch.stack([at.t(), a, a], -1), axis=-1,
          views={"a": "transpose:0,1"})
    c.add("tile_transposed", "tile", {"x": at}, at.t().repeat(3, 1), reps=[3, 1], views={"x": "transpose:0,1"})
    return c


# ---- composites ----------------------------------------------------------------------------------

def composites():
    c = Cases()
    x = rnd(3, 4, 5)
    c.add("mean_axes", "mean", {"x": x}, x.mean(dim=[0, 2]), axes=[0, 2], keepDims=False)
    c.add("mean_all_keep", "mean", {"x": x}, x.mean(dim=[0, 1, 2], keepdim=True), axes=[], keepDims=True)
    xt = x.transpose(1, 2)
    c.add("var_unbiased_transposed", "var", {"x": x}, xt.var(dim=1, unbiased=True, keepdim=True), axes=[1], correction=1,
          keepDims=True, views={"x": "transpose:1,2"})
    c.add("var_biased", "var", {"x": x}, x.var(dim=[-1], unbiased=False), axes=[-1], correction=0, keepDims=False)
    c.add("std_unbiased", "std", {"x": x}, x.std(dim=[0, 1], unbiased=True), axes=[0, 1], correction=1, keepDims=False)
    big = rnd(3, 6, lo=-50, hi=90)
    big[0, 0] = 500.0
    c.add("logsumexp_large", "logsumexp", {"x": big}, torch.logsumexp(big, dim=1), axes=[1], keepDims=False)
    c.add("logsumexp_transposed_keep", "logsumexp", {"x": big}, torch.logsumexp(big.t(), dim=0, keepdim=True),
          axes=[0], keepDims=True, views={"x": "transpose:0,1"})
    c.add("softmax_last", "softmax", {"x": big}, torch.softmax(big, dim=-1), axis=-1)
    c.add("softmax_transposed_axis0", "softmax", {"x": big}, torch.softmax(big.t(), dim=0), axis=0,
          views={"x": "transpose:0,1"})
    c.add("log_softmax", "log_softmax", {"x": big}, torch.log_softmax(big, dim=1), axis=1)
    c.add("log_softmax_strided", "log_softmax", {"x": big}, torch.log_softmax(big[:, ::2], dim=-1), axis=-1,
          views={"x": "slice:1,0,6,2"})
    g = rnd(4, 6, lo=-5, hi=5)
    c.add("gelu_exact_transposed", "gelu", {"x": g}, F.gelu(g.t()), approximate=False, views={"x": "transpose:0,1"})
    c.add("gelu_tanh", "gelu", {"x": g}, F.gelu(g, approximate="tanh"), approximate=True)
    c.add("silu", "silu", {"x": g}, F.silu(g))
    sp = torch.cat([g.reshape(-1), torch.tensor([-100.0, 100.0, 30.0])])
    c.add("softplus_extremes", "softplus", {"x": sp}, F.softplus(sp))
    c.add("log_sigmoid", "log_sigmoid", {"x": sp}, F.logsigmoid(sp))
    c.add("leaky_relu", "leaky_relu", {"x": g}, F.leaky_relu(g, 0.1), slope=0.1)
    c.add("elu", "elu", {"x": g}, F.elu(g, 1.5), alpha=1.5)
    c.add("clamp", "clamp", {"x": g}, torch.clamp(g.t(), -1.0, 2.5), lo=-1.0, hi=2.5, views={"x": "transpose:0,1"})
    c.add("square", "square", {"x": g}, torch.square(g))
    pos = rnd(3, 4, lo=0.1, hi=5)
    c.add("rsqrt_strided", "rsqrt", {"x": pos}, torch.rsqrt(pos[:, 1::2]), views={"x": "slice:1,1,4,2"})
    c.add("log1p", "log1p", {"x": pos}, torch.log1p(pos))
    c.add("norm", "norm", {"x": g}, torch.linalg.vector_norm(g, dim=1), axes=[1], keepDims=False)
    grad = rnd(2, 3, 4)
    c.add("sum_to_shape", "sum_to_shape", {"x": grad}, grad.sum_to_size(3, 1), shape=[3, 1])

    ln = rnd(2, 3, 6)
    gamma = rnd(6, lo=0.5, hi=1.5)
    beta = rnd(6, lo=-0.5, hi=0.5)
    c.add("layer_norm_last", "layer_norm", {"x": ln, "gamma": gamma, "beta": beta},
          F.layer_norm(ln, (6,), gamma, beta, eps=1e-5), axes=[-1], eps=1e-5)
    gamma2 = rnd(3, 6, lo=0.5, hi=1.5)
    c.add("layer_norm_two_axes", "layer_norm", {"x": ln, "gamma": gamma2},
          F.layer_norm(ln, (3, 6), gamma2, None, eps=1e-3), axes=[-2, -1], eps=1e-3)

    logits = rnd(5, 4, lo=-4, hi=4)
    logits[0, 1] = 60.0  # large logits must not overflow
    labels = torch.tensor([1, 0, 3, 2, 3])
    c.add("sparse_ce_logits", "sparse_categorical_crossentropy", {"x": logits, "labels": labels},
          F.cross_entropy(logits, labels, reduction="none"), fromLogits=True)
    c.add("sparse_ce_logits_int32_transposed", "sparse_categorical_crossentropy",
          {"x": logits.t().contiguous(), "labels": labels.to(torch.int32)},
          F.cross_entropy(logits, labels, reduction="none"), fromLogits=True, views={"x": "transpose:0,1"})
    probs = torch.softmax(rnd(5, 4), dim=1)
    probs = torch.round(probs * 1000) / 1000
    eps = 1e-7
    pn = torch.clamp(probs / probs.sum(dim=-1, keepdim=True), eps, 1 - eps)
    c.add("sparse_ce_probs", "sparse_categorical_crossentropy", {"x": probs, "labels": labels},
          -torch.log(pn.gather(1, labels[:, None])).squeeze(1), fromLogits=False)
    soft = torch.softmax(rnd(5, 4), dim=1)
    soft = torch.round(soft * 1000) / 1000
    c.add("categorical_ce_logits", "categorical_crossentropy", {"x": logits, "targets": soft},
          -(soft * torch.log_softmax(logits, dim=1)).sum(dim=1), fromLogits=True)
    c.add("categorical_ce_probs", "categorical_crossentropy", {"x": probs, "targets": soft},
          -(soft * torch.log(pn)).sum(dim=1), fromLogits=False)
    bl = rnd(3, 4, lo=-30, hi=30)
    bt = (torch.rand(3, 4) > 0.5).float()
    c.add("binary_ce_logits", "binary_crossentropy", {"x": bl, "targets": bt},
          F.binary_cross_entropy_with_logits(bl, bt, reduction="none"), fromLogits=True)
    bp = torch.round(torch.rand(3, 4) * 1000) / 1000
    bp[0, 0] = 0.0
    bp[0, 1] = 1.0
    bpc = torch.clamp(bp, eps, 1 - eps)
    c.add("binary_ce_probs", "binary_crossentropy", {"x": bp, "targets": bt},
          -(bt * torch.log(bpc) + (1 - bt) * torch.log(1 - bpc)), fromLogits=False)
    gt = rnd(6, 4, lo=-5, hi=5)  # viewed as [4, 6]
    tv = {"x": "transpose:0,1"}
    c.add("mean_transposed", "mean", {"x": gt}, gt.t().mean(dim=1, keepdim=True), axes=[-1], keepDims=True, views=tv)
    c.add("std_transposed", "std", {"x": gt}, gt.t().std(dim=0, unbiased=False), axes=[0], correction=0, keepDims=False,
          views=tv)
    c.add("silu_transposed", "silu", {"x": gt}, F.silu(gt.t()), views=tv)
    c.add("softplus_transposed", "softplus", {"x": gt}, F.softplus(gt.t()), views=tv)
    c.add("log_sigmoid_transposed", "log_sigmoid", {"x": gt}, F.logsigmoid(gt.t()), views=tv)
    c.add("leaky_relu_transposed", "leaky_relu", {"x": gt}, F.leaky_relu(gt.t(), 0.2), slope=0.2, views=tv)
    c.add("elu_transposed", "elu", {"x": gt}, F.elu(gt.t(), 1.0), alpha=1.0, views=tv)
    c.add("square_transposed", "square", {"x": gt}, torch.square(gt.t()), views=tv)
    c.add("norm_transposed", "norm", {"x": gt}, torch.linalg.vector_norm(gt.t(), dim=0, keepdim=True), axes=[0],
          keepDims=True, views=tv)
    c.add("log1p_strided", "log1p", {"x": pos}, torch.log1p(pos[:, ::2]), views={"x": "slice:1,0,4,2"})
    gr = rnd(2, 4, 3)  # viewed as [2, 3, 4]
    c.add("sum_to_shape_transposed", "sum_to_shape", {"x": gr}, gr.transpose(1, 2).sum_to_size(3, 1), shape=[3, 1],
          views={"x": "transpose:1,2"})
    soft_t = soft.t().contiguous()
    c.add("categorical_ce_transposed_targets", "categorical_crossentropy", {"x": logits, "targets": soft_t},
          -(soft * torch.log_softmax(logits, dim=1)).sum(dim=1), fromLogits=True, views={"targets": "transpose:0,1"})
    brow = (torch.rand(4) > 0.5).float()
    c.add("binary_ce_logits_broadcast", "binary_crossentropy", {"x": bl, "targets": brow},
          F.binary_cross_entropy_with_logits(bl, brow.expand(3, 4), reduction="none"), fromLogits=True)
    c.add("binary_ce_probs_broadcast", "binary_crossentropy", {"x": bp, "targets": brow},
          -(brow * torch.log(bpc) + (1 - brow) * torch.log(1 - bpc)), fromLogits=False)
    return c


# ---- gradients for the autodiff tests ------------------------------------------------------------

def grads():
    c = Cases()

    def record(name, op, inputs, fn, attrs, wrt):
        leaves = {k: v.clone().double().requires_grad_(k in wrt) if v.is_floating_point() else v for k, v in inputs.items()}
        out = fn(**leaves)
        dy = rnd(*out.shape, lo=-1, hi=1, dtype=torch.float64)
        out.backward(dy)
        case = {"name": name, "op": op}
        for k, v in leaves.items():
            case[k] = enc(v)
        case.update(attrs)
        case["out"] = enc(out)
        case["dy"] = enc(dy)
        case["wrt"] = list(wrt)
        for k in wrt:
            case["grad_" + k] = enc(leaves[k].grad)
        c.cases.append(case)

    record("matmul_batch_broadcast", "matmul", {"a": rnd(2, 3, 4), "b": rnd(4, 5)}, lambda a, b: a @ b, {}, ["a", "b"])
    record("matmul_plain", "matmul", {"a": rnd(3, 2), "b": rnd(2, 4)}, lambda a, b: a @ b, {}, ["a", "b"])
    for name, xs, fs, s, pad, g in [("conv2d_same_stride2", (2, 6, 5, 2), (3, 3, 2, 3), (2, 2), "same", 1),
                                    ("conv2d_valid_groups", (1, 5, 5, 4), (2, 2, 2, 4), (1, 1), "valid", 2)]:
        record(name, "conv2d", {"x": rnd(*xs), "filter": rnd(*fs, lo=-1, hi=1)},
               lambda x, filter, s=s, pad=pad, g=g: torch_conv_nhwc(x, filter, s, pad, (1, 1), g),
               {"strides": list(s), "padding": pad, "dilation": [1, 1], "groups": g}, ["x", "filter"])
    for kind in ("max", "avg"):
        for name, xs, pool, s, pad in [("same_3x3_s2", (1, 6, 5, 2), (3, 3), (2, 2), "same"),
                                       ("valid_2x2", (2, 4, 4, 1), (2, 2), (2, 2), "valid")]:
            record(kind + "_pool_" + name, kind + "_pool2d", {"x": rnd(*xs)},
                   lambda x, pool=pool, s=s, pad=pad, kind=kind: torch_pool_nhwc(x, pool, s, pad, kind),
                   {"pool": list(pool), "strides": list(s), "padding": pad}, ["x"])
    labels = torch.tensor([2, 0, 1, 2])
    record("sparse_ce_logits", "sparse_categorical_crossentropy", {"x": rnd(4, 3, lo=-3, hi=3), "labels": labels},
           lambda x, labels: F.cross_entropy(x, labels, reduction="none"), {"fromLogits": True}, ["x"])
    record("layer_norm_last", "layer_norm", {"x": rnd(3, 5), "gamma": rnd(5, lo=0.5, hi=1.5), "beta": rnd(5)},
           lambda x, gamma, beta: F.layer_norm(x, (5,), gamma, beta, eps=1e-5), {"axes": [-1], "eps": 1e-5},
           ["x", "gamma", "beta"])
    idx = torch.tensor([[0, 2, 2], [1, 1, 0]])
    record("gather_axis1_repeats", "gather", {"x": rnd(2, 4), "index": idx}, lambda x, index: torch.gather(x, 1, index),
           {"axis": 1}, ["x"])
    return c


def main():
    # Each file draws from its own seed, so adding a case to one file leaves the others unchanged.
    for seed, (name, fn) in enumerate([("elementwise", elementwise), ("reductions", reductions),
                                       ("contractions", contractions), ("indexing", indexing), ("arrays", arrays),
                                       ("composites", composites)]):
        torch.manual_seed(1000 + seed)
        fn().write(TENSOR_OUT, name + ".json")
    torch.manual_seed(2000)
    grads().write(GRAD_OUT, "grad_fixtures.json")


if __name__ == "__main__":
    main()
