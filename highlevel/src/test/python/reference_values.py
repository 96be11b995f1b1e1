"""Prints the reference numbers that highlevel's optimizer and loss tests assert.

Optimizers: a direct float64 transcription of Keras 3's update formulas (keras/src/optimizers/*.py),
with the learning rate rounded to float32 because Keras (and Javelin) hold it in a float32 variable.
Two steps on w0 = [1, -2] with gradients [0.5, -1] then [0.1, 0.3]. Losses: PyTorch in float64.
Run with: python3 highlevel/src/test/python/reference_values.py   (needs numpy and torch)
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

W0 = [1.0, -2.0]
GRADS = [[0.5, -1.0], [0.1, 0.3]]


def f32(x):
    return float(np.float32(x))


def adam(lr=0.01, b1=0.9, b2=0.999, eps=1e-7, weight_decay=0.0):
    lr = f32(lr)
    w, m, v, out = list(W0), [0.0, 0.0], [0.0, 0.0], []
    for t, g in enumerate(GRADS, 1):
        w = [wi - wi * weight_decay * lr for wi in w]  # decoupled decay first (AdamW)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        for i in range(2):
            m[i] += (g[i] - m[i]) * (1 - b1)
            v[i] += (g[i] * g[i] - v[i]) * (1 - b2)
            w[i] -= m[i] * alpha / (math.sqrt(v[i]) + eps)
        out.append(list(w))
    return out


def rmsprop(lr=0.01, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    lr = f32(lr)
    w, v, a, mom, out = list(W0), [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], []
    for g in GRADS:
        for i in range(2):
            v[i] = rho * v[i] + (1 - rho) * g[i] ** 2
            if centered:
                a[i] = rho * a[i] + (1 - rho) * g[i]
                d = v[i] - a[i] ** 2 + eps
            else:
                d = v[i] + eps
            inc = lr * g[i] / math.sqrt(d)
            if momentum > 0:
                mom[i] = momentum * mom[i] + inc
                w[i] -= mom[i]
            else:
                w[i] -= inc
        out.append(list(w))
    return out


def adagrad(lr=0.1, init=0.1, eps=1e-7):
    lr = f32(lr)
    w, acc, out = list(W0), [init, init], []
    for g in GRADS:
        for i in range(2):
            acc[i] += g[i] ** 2
            w[i] -= lr * g[i] / math.sqrt(acc[i] + eps)
        out.append(list(w))
    return out


def losses():
    labels = torch.tensor([0, 2, 1])
    logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, -1.0, 3.0], [0.0, 0.0, 0.0]], dtype=torch.float64)
    one_hot = F.one_hot(labels, 3).double()
    print("sparse CE (logits)", F.cross_entropy(logits, labels).item())
    print("sparse CE (probs)", F.nll_loss(torch.log(torch.softmax(logits, -1)), labels).item())
    print("CE, smoothing 0.1", F.cross_entropy(logits, one_hot * 0.9 + 0.1 / 3).item())
    x = torch.tensor([[0.5, -1.5], [2.0, 0.0]], dtype=torch.float64)
    t = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    print("BCE (logits)", F.binary_cross_entropy_with_logits(x, t).item())
    print("BCE (probs)", F.binary_cross_entropy(torch.sigmoid(x), t).item())
    a = torch.tensor([[1.0, 2.0], [3.0, -1.0]], dtype=torch.float64)
    b = torch.tensor([[1.5, 0.0], [3.0, 2.0]], dtype=torch.float64)
    print("MSE", F.mse_loss(b, a).item(), "MAE", F.l1_loss(b, a).item())
    print("Huber 1.0", F.huber_loss(b, a, delta=1.0).item(), "Huber 1.5", F.huber_loss(b, a, delta=1.5).item())


if __name__ == "__main__":
    print("Adam", adam())
    print("Adam, epsilon 0.1", adam(eps=0.1))
    print("AdamW, weight decay 0.1", adam(weight_decay=0.1))
    print("RMSprop", rmsprop())
    print("RMSprop, centered, momentum 0.5", rmsprop(momentum=0.5, centered=True))
    print("Adagrad", adagrad())
    losses()
