#!/usr/bin/env bash
# The GPU checks of issue 12, prepared for a session that is lent a GPU. Nothing here has been run
# on a GPU yet: no figure from it is in perf/NOTES.md.
#
# 1. On the development machine, from the repository root, once the build compiles:
#        /work/shared/tools/device-bundle.sh        # builds .device/ (git ignores it; about 56 MiB)
# 2. With the device tool, carrying the bundle, one call (about 3-5 minutes of device time):
#        run(carry=[".device"], timeout_s=540, command="bash perf/gpu-check.sh")
#    It prints, in order:
#      a. the GPU suite: dev.javelin.kernels.cuda, dev.javelin.jit.ptx (CudaProgramTest, the fused
#         kernels on the device) and the highlevel GPU tests, run on the real device (not emulated);
#      b. the MNIST main job (convnet, 15 epochs) on the GPU compiled (one program per step) and op
#         by op: seconds per epoch and test accuracy of each (bar: compiled >= 2x faster per epoch,
#         accuracy within 0.3 points of the CPU's 0.9780 recorded in perf/NOTES.md);
#      c. the MLP 784-512-512-10 Adam train step, Javelin compiled on the GPU, then PyTorch CUDA
#         eager on the same GPU (perf/mlp_cuda_torch.py), in the same command;
#      d. the 2-layer LSTM train step (256 units, T = 64, batch 64), Javelin compiled on the GPU with
#         its recurrent loops on the device (CudaRecurrence; it prints how many ran on the host: 0
#         expected), then PyTorch CUDA eager nn.LSTM on the same GPU (perf/lstm_torch.py cuda=1).
#         Part a already runs CudaRecurrenceGpuTest (every cell against the CPU) on the device.
#    Set STEPS=a, b, c or d (or a combination such as "bd") to run only some parts; EPOCHS=N shortens b.
# 3. Record the figures with the command and the device name in perf/NOTES.md.
set -uo pipefail
cd "$(dirname "$0")/.."
B=.device
[ -x "$B/jdk/bin/java" ] || { echo "gpu-check: no $B/ bundle here: build it with /work/shared/tools/device-bundle.sh and carry it"; exit 2; }
STEPS="${STEPS:-abcd}"
EPOCHS="${EPOCHS:-15}"
CP="$(ls $B/lib/*.jar | tr '\n' ':')$(ls -d $B/test-classes/* | tr '\n' ':')"
JAVA=("$B/jdk/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "gpu-check: nvidia-smi not found"

if [[ "$STEPS" == *a* ]]; then
  echo "== a. GPU suite (on the device)"
  # JUnit's console does not expand lib/*, so the class path is spelled out (see kernels/CUDA.md)
  "${JAVA[@]}" -jar $B/console/junit-platform-console-standalone-*.jar execute --class-path "$CP" \
      --select-package dev.javelin.kernels.cuda --select-package dev.javelin.jit.ptx \
      --select-class dev.javelin.highlevel.GpuTrainingTest --select-class dev.javelin.highlevel.GpuCompiledTrainingTest \
      --details=summary --disable-banner 2>&1 | tail -40
fi

if [[ "$STEPS" == *b* ]]; then
  echo "== b. MNIST main job on the GPU: compiled, then op by op ($EPOCHS epochs each)"
  for mode in --jit --eager; do
    echo "-- $mode"
    "${JAVA[@]}" -cp "$CP" dev.javelin.examples.MnistMain --device=cuda --epochs="$EPOCHS" "$mode" /tmp/gpu-check-mnist.safetensors 2>&1 \
        | grep -E "steps on|per epoch|test loss|test accuracy|Exception|Error" | head -20
  done
fi

if [[ "$STEPS" == *c* ]]; then
  echo "== c. MLP train step: Javelin compiled on the GPU, then PyTorch CUDA eager, same GPU"
  "${JAVA[@]}" -cp "$CP" dev.javelin.highlevel.GpuMlpStep 2>&1 | tail -5
  python3 perf/mlp_cuda_torch.py 2>&1 | tail -3
fi

if [[ "$STEPS" == *d* ]]; then
  echo "== d. LSTM 2x256 T=64 b64 train step: Javelin compiled on the GPU (loops on the device), then PyTorch CUDA eager, same GPU"
  "${JAVA[@]}" -cp "$CP" dev.javelin.highlevel.GpuLstmStep 2>&1 | tail -5
  python3 perf/lstm_torch.py cuda=1 calls=20 2>&1 | tail -3
fi
