#!/usr/bin/env bash
# The recurrent acceptance timings (perf/NOTES.md, "Recurrent layers: the fused loop"): the 2-layer
# LSTM train step (256 units, T = 64, batch 64) in Javelin and PyTorch eager nn.LSTM back to back at
# 2 threads, then Javelin's first call at T = 128 in a fresh JVM. Run it under the landing lock:
#   flock /work/land.queue.lock perf/lstm-bench.sh          # CALLS=20 by default
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
THREADS="${THREADS:-2}" CALLS="${CALLS:-20}"
./mvnw -B -q -o -pl perf/javelin -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests >&2
CP="perf/javelin/target/classes:$(cat perf/javelin/target/cp.txt)"
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Xmx8g)
export OMP_NUM_THREADS="$THREADS" OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=Cooperlake
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2; do
  "${JAVA[@]}" -cp "$CP" dev.javelin.perf.jit.LstmTrainStep T=64 units=256 batch=64 threads="$THREADS" calls="$CALLS" 2>/dev/null
  /usr/bin/python3 perf/lstm_torch.py T=64 units=256 batch=64 threads="$THREADS" calls="$CALLS"
done
"${JAVA[@]}" -cp "$CP" dev.javelin.perf.jit.LstmTrainStep T=128 units=256 batch=64 threads="$THREADS" calls=3 2>/dev/null
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
