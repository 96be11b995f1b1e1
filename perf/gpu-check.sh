#!/usr/bin/env bash
# The GPU checks of issue 12, prepared for a session that is lent a GPU. Nothing here has been run
# on a GPU yet: no figure from it is in perf/NOTES.md.
#
# 1. On the development machine, from the repository root, once the build compiles:
#        bash perf/device-bundle.sh                 # builds .device/ (about 50 MiB; no mvn install)
#    (/work/shared/tools/device-bundle.sh runs `mvn install` and, since the spark module, copies
#    330 MiB of Spark and Hadoop jars: over the 64 MiB the device tool carries.)
# 2. With the device tool, carrying the bundle, one call (about 3-5 minutes of device time):
#        run(carry=[".device"], timeout_s=540, command="bash perf/gpu-check.sh")
#    Without a GPU, EMULATE=1 runs the same parts on the emulated device (the PTX interpreter) as a
#    dry run of the script and the bundle: a. the GPU suite emulated; b. the MNIST job on the CPU for
#    EPOCHS (default 1) epochs, compiled and op by op; c. and d. the MLP and LSTM steps at tiny sizes
#    (timings meaningless); the PyTorch lines then say they see no CUDA device. BUNDLE=DIR uses a
#    bundle elsewhere than .device.
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
B="${BUNDLE:-.device}"
[ -x "$B/jdk/bin/java" ] || { echo "gpu-check: no $B/ bundle here: build it with bash perf/device-bundle.sh and carry it"; exit 2; }
EMULATE="${EMULATE:-}"
PYTHON="${PYTHON:-python3}" # the one with torch (here: /usr/bin/python3)
STEPS="${STEPS:-abcd}"
EPOCHS="${EPOCHS:-$([ -n "$EMULATE" ] && echo 1 || echo 15)}"
CP="$(ls $B/lib/*.jar | tr '\n' ':')$(ls -d $B/test-classes/* | tr '\n' ':')"
JAVA=("$B/jdk/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m)
if [ -n "$EMULATE" ]; then
  JAVA+=(-Djavelin.cuda.emulate=true)
  MNIST_DEVICE=cpu; MLP_ARGS=(2 16 8); LSTM_ARGS=(1 8 4 4)
  echo "gpu-check: EMULATE=1: the PTX interpreter stands in for the GPU; no timing below means anything"
else
  MNIST_DEVICE=cuda; MLP_ARGS=(); LSTM_ARGS=()
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "gpu-check: nvidia-smi not found"
fi
SECONDS=0

if [[ "$STEPS" == *a* ]]; then
  echo "== a. GPU suite (on the device) [${SECONDS} s]"
  # JUnit's console does not expand lib/*, so the class path is spelled out (see kernels/CUDA.md)
  "${JAVA[@]}" -jar $B/console/junit-platform-console-standalone-*.jar execute --class-path "$CP" \
      --select-package dev.javelin.kernels.cuda --select-package dev.javelin.jit.ptx \
      --select-class dev.javelin.highlevel.GpuTrainingTest --select-class dev.javelin.highlevel.GpuCompiledTrainingTest \
      --details=summary --disable-banner 2>&1 | tail -40
fi

if [[ "$STEPS" == *b* ]]; then
  echo "== b. MNIST main job on $MNIST_DEVICE: compiled, then op by op ($EPOCHS epochs each) [${SECONDS} s]"
  for mode in --jit --eager; do
    echo "-- $mode"
    "${JAVA[@]}" -cp "$CP" dev.javelin.examples.MnistMain --device="$MNIST_DEVICE" --epochs="$EPOCHS" "$mode" /tmp/gpu-check-mnist.safetensors 2>&1 \
        | grep -E "steps on|per epoch|test loss|test accuracy|Exception|Error" | head -20
  done
fi

if [[ "$STEPS" == *c* ]]; then
  echo "== c. MLP train step: Javelin compiled on the GPU, then PyTorch CUDA eager, same GPU [${SECONDS} s]"
  "${JAVA[@]}" -cp "$CP" dev.javelin.highlevel.GpuMlpStep "${MLP_ARGS[@]}" 2>&1 | tail -5
  "$PYTHON" perf/mlp_cuda_torch.py 2>&1 | tail -3
fi

if [[ "$STEPS" == *d* ]]; then
  echo "== d. LSTM 2x256 T=64 b64 train step: Javelin compiled on the GPU (loops on the device), then PyTorch CUDA eager, same GPU [${SECONDS} s]"
  "${JAVA[@]}" -cp "$CP" dev.javelin.highlevel.GpuLstmStep "${LSTM_ARGS[@]}" 2>&1 | tail -5
  "$PYTHON" perf/lstm_torch.py cuda=1 calls=20 2>&1 | tail -3
fi
echo "gpu-check: done in ${SECONDS} s"
