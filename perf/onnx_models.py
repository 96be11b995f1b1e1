#!/usr/bin/python3
"""The ONNX benchmark's models, exported, and PyTorch eager's latency on them (perf/onnx-bench.sh).

    /usr/bin/python3 perf/onnx_models.py export DIR        # DIR/resnet18.onnx, DIR/encoder.onnx, DIR/lstm.onnx
    OMP_NUM_THREADS=2 /usr/bin/python3 perf/onnx_models.py time 2 [case...]   # PyTorch eager, 2 threads

Models (random initialisation, torch.manual_seed(0); nothing is downloaded):
- torchvision's ResNet-18, 224x224 RGB, eval mode, the batch dimension symbolic ("batch"), so one
  file serves batch 1 and batch 8.
- a transformer encoder: 6 nn.TransformerEncoderLayer (width 256, 8 heads, feed-forward 1024,
  post-LN, ReLU, batch_first), input [8, 128, 256] (batch 8, sequence 128), eval mode.
- an LSTM classifier: nn.LSTM(128, 256, 2 layers, bidirectional, batch_first) and a Linear(512, 10) on
  the last step, input [8, 64, 128], the batch dimension symbolic.
Opset 17 (torch 1.13's newest: LayerNormalization is one node there). Timing: median of N runs
after 3 s of warm-up (at least 3 runs), torch.inference_mode(), the same shapes as the Java side.
"""
import statistics
import sys
import time

import torch
import torchvision

OPSET = 17
REPS = {"resnet18_b1": 30, "resnet18_b8": 10, "encoder_b8": 10, "lstm_b8": 20}


def resnet18():
    torch.manual_seed(0)
    return torchvision.models.resnet18(weights=None).eval()


def encoder():
    torch.manual_seed(0)
    layer = torch.nn.TransformerEncoderLayer(d_model=256, nhead=8, dim_feedforward=1024, dropout=0.0,
                                             batch_first=True)
    return torch.nn.TransformerEncoder(layer, num_layers=6, enable_nested_tensor=False).eval()


class LstmClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.LSTM(128, 256, num_layers=2, batch_first=True, bidirectional=True)
        self.head = torch.nn.Linear(512, 10)

    def forward(self, x):
        return self.head(self.rnn(x)[0][:, -1])


def lstm():
    torch.manual_seed(0)
    return LstmClassifier().eval()


def export(out_dir):
    with torch.no_grad():
        torch.onnx.export(resnet18(), torch.randn(1, 3, 224, 224), f"{out_dir}/resnet18.onnx", opset_version=OPSET,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    # With gradients enabled: 1.13's eval-mode fast path (one fused aten op, no ONNX symbolic) is off,
    # so the export writes the layer's ops (MatMul, Softmax, LayerNormalization, ...).
    torch.onnx.export(encoder(), torch.randn(8, 128, 256), f"{out_dir}/encoder.onnx", opset_version=OPSET,
                      input_names=["input"], output_names=["output"])
    torch.onnx.export(lstm(), torch.randn(8, 64, 128), f"{out_dir}/lstm.onnx", opset_version=OPSET,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    print(f"# exported resnet18.onnx, encoder.onnx and lstm.onnx (opset {OPSET}) to {out_dir}")


WARM_SECONDS = 3.0  # the same warm-up as OrtTiming and OnnxTiming (perf/onnx-bench.sh says why)


def median_ms(fn, reps, warmup=3):
    start = time.perf_counter()
    done = 0
    while done < warmup or time.perf_counter() - start < WARM_SECONDS:
        fn()
        done += 1
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times)


def time_all(threads, only=()):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net, enc = resnet18(), encoder()
    cases = {
        "resnet18_b1": (net, torch.randn(1, 3, 224, 224)),
        "resnet18_b8": (net, torch.randn(8, 3, 224, 224)),
        "encoder_b8": (enc, torch.randn(8, 128, 256)),
        "lstm_b8": (lstm(), torch.randn(8, 64, 128)),
    }
    print(f"# pytorch {torch.__version__} eager, {threads} threads, median after {WARM_SECONDS:.0f} s of warm-up (3 calls at least)")
    with torch.inference_mode():
        for name, (model, x) in cases.items():
            if only and name not in only:
                continue
            print(f"pytorch {name:12} {median_ms(lambda: model(x), REPS[name]):9.2f} ms  (median of {REPS[name]})")


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2])
    else:
        time_all(int(sys.argv[2]) if len(sys.argv) > 2 else 2, sys.argv[3:])
