#!/usr/bin/env bash
# The ONNX import's acceptance timings (issue 16; perf/NOTES.md, "ONNX import: ResNet-18 and a
# transformer encoder against ONNX Runtime and PyTorch"), in one session at 2 threads each:
#   perf/onnx-bench.sh             # export the models, then ONNX Runtime, PyTorch eager, Javelin
#   MODELS=/tmp/m perf/onnx-bench.sh   # where the exported models go (default: a fresh temp dir)
#   CASES="lstm_b8" perf/onnx-bench.sh  # only these cases (resnet18_b1 resnet18_b8 encoder_b8 lstm_b8)
# The models (torchvision ResNet-18 and a 6-layer encoder, random init, fixed seed) are exported by
# perf/onnx_models.py at run time and never committed (ResNet-18 is 47 MB). Run it under the
# landing lock on the shared host: flock /work/land.queue.lock perf/onnx-bench.sh
# Every side times the median of its runs after 3 s of warm-up (3 runs at least): in a fresh JVM,
# Javelin's first second of calls overlaps C2 compiling its kernels, and with 3 warm-ups only, the
# batch-1 case (the first in its JVM) measured that warm-up (perf/NOTES.md); Javelin's line also
# prints the median of the calls right after 3 warm-ups.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
THREADS="${THREADS:-2}"
MODELS="${MODELS:-$(mktemp -d)}"
mkdir -p "$MODELS"
# ONNX Runtime is a perf-only peer (the peers profile), built alone; Javelin's side from the reactor.
./mvnw -B -q -o -Ppeers -pl perf/peer-ort -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests >&2
./mvnw -B -q -o -pl perf/javelin -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests >&2
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 perf/onnx_models.py export "$MODELS" 2>/dev/null
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "perf/peer-ort/target/classes:$(cat perf/peer-ort/target/cp.txt)" \
  dev.javelin.perf.ort.OrtTiming "$MODELS" "$THREADS" ${CASES:-}
OMP_NUM_THREADS="$THREADS" OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 perf/onnx_models.py time "$THREADS" ${CASES:-}
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Xmx8g -cp "perf/javelin/target/classes:$(cat perf/javelin/target/cp.txt)")
"${JAVA[@]}" dev.javelin.perf.onnx.OnnxTiming "$MODELS" "$THREADS" ${CASES:-} 2>/dev/null
# the same ResNet-18 written with NN ops in NHWC (no loader): how far the import is from hand-written
[ "${LAYERS:-0}" = 1 ] && "${JAVA[@]}" dev.javelin.perf.onnx.ResNetLayersTiming "$THREADS" 1 8 2>/dev/null
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
