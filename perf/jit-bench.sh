#!/usr/bin/env bash
# The JIT's benchmarks (perf/javelin, package dev.javelin.perf.jit) and PyTorch eager CPU on the same
# workloads, in one session at 2 threads. Figures go to perf/NOTES.md's "## JIT" section.
#
#   perf/jit-bench.sh            # JMH (elementwise, softmax, train step, first call), then PyTorch
#   perf/jit-bench.sh Softmax    # only JitSoftmaxBench
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ONLY="${1:-}"
./mvnw -B -q -o -pl perf/javelin -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests >&2
CP="perf/javelin/target/classes:$(cat perf/javelin/target/cp.txt)"
"$JAVA_HOME/bin/java" -Djmh.ignoreLock=true -cp "$CP" org.openjdk.jmh.Main -p threads=2 "dev.javelin.perf.jit.Jit${ONLY}"
if [[ -z "$ONLY" ]] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=Cooperlake OMP_NUM_THREADS=2 /usr/bin/python3 perf/jit_torch.py 2
fi
