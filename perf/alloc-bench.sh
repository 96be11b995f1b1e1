#!/usr/bin/env bash
# The host cache's effect (issue 18, memory traffic): the JIT's JMH benchmarks with JMH's gc profiler
# (bytes allocated per call), first with the cache off (-Djavelin.hostCache=false: every array new and
# zeroed, as before the cache), then on, then PyTorch eager on the same workloads; 2 threads.
#
#   flock /work/land.queue.lock perf/alloc-bench.sh                          # the MLP train step
#   flock /work/land.queue.lock perf/alloc-bench.sh 'Jit(Softmax|Elementwise)Bench|SgemmBench.matmul'
#
# WI / IT: JMH warm-up and measured iterations of 1 s (default 4 / 8); TORCH=0 skips PyTorch.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ONLY="${1:-JitTrainStepBench}"
./mvnw -B -q -o -pl perf/javelin -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests >&2
CP="perf/javelin/target/classes:$(cat perf/javelin/target/cp.txt)"
for cache in false true; do
  echo "== -Djavelin.hostCache=$cache; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  "$JAVA_HOME/bin/java" -Djmh.ignoreLock=true -cp "$CP" org.openjdk.jmh.Main -p threads=2 -f 1 -wi "${WI:-4}" -w 1 -i "${IT:-8}" -r 1 -prof gc \
    -jvmArgsAppend "--add-modules jdk.incubator.vector -Xms4g -Xmx4g -XX:+AlwaysPreTouch -Djavelin.hostCache=$cache" "$ONLY" 2>&1 \
    | awk '/^Benchmark/ { table = 1 } table && !/gc.alloc.rate |churn|p0\.(00|9)|p1\.00/'
done
echo "load average after JMH: $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ "${TORCH:-1}" == 1 ]] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=Cooperlake OMP_NUM_THREADS=2 /usr/bin/python3 perf/jit_torch.py 2
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
