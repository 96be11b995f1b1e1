#!/usr/bin/env bash
# The JIT's benchmarks (perf/javelin, package dev.javelin.perf.jit) and PyTorch eager CPU on the same
# workloads, in one session at 2 threads. Figures go to perf/NOTES.md's "## JIT" section.
#
#   perf/jit-bench.sh            # JMH (elementwise, softmax, train step), first call, then PyTorch
#   perf/jit-bench.sh Softmax    # only JitSoftmaxBench
#   perf/jit-bench.sh FirstCall  # only the train step's first call, in fresh JVMs
#
# JMH_FORKS=3 runs each benchmark in three JVMs (the figures of record: one fork's mean moves by up to
# 20% from JVM to JVM here); JMH_JVM_ARGS adds JVM options to the forks (e.g. -Djavelin.jit.heavyBudget=1).
# The first call is timed by JitFirstCall in FIRST_CALL_RUNS fresh JVMs (default 7): median, min and
# max of its wall time and of the compile part. One JMH single shot per fork is too noisy for it.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
ONLY="${1:-}"
RUNS="${FIRST_CALL_RUNS:-7}"
./mvnw -B -q -o -pl perf/javelin -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests >&2
CP="perf/javelin/target/classes:$(cat perf/javelin/target/cp.txt)"
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector)

# Median, min and max of JitFirstCall's wall and compile figures, read from its output lines.
summarize_first_calls() {
  awk -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN { n = 0 }
    /^first call/ { w[n] = $3; for (i = 1; i <= NF; i++) if ($i == "compile") c[n] = $(i + 1); n++ }
    function median(a, n,   s, i, j, t) { for (i = 0; i < n; i++) s[i] = a[i] + 0; for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
      return n % 2 ? s[int(n / 2)] : (s[n / 2 - 1] + s[n / 2]) / 2 }
    function lo(a, n,   m, i) { m = a[0] + 0; for (i = 1; i < n; i++) if (a[i] + 0 < m) m = a[i] + 0; return m }
    function hi(a, n,   m, i) { m = a[0] + 0; for (i = 1; i < n; i++) if (a[i] + 0 > m) m = a[i] + 0; return m }
    END { if (n == 0) { print "no run printed a first call"; exit 1 }
      printf "first call (wall): median %.1f ms, min %.1f, max %.1f (%d runs)\n", median(w, n), lo(w, n), hi(w, n), n
      printf "of which compile:  median %.1f ms, min %.1f, max %.1f; load average after: %s\n", median(c, n), lo(c, n), hi(c, n), load }'
}

first_call() {
  echo "# train step first call, $RUNS fresh JVMs, 2 threads; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  local out
  out=$(for _ in $(seq "$RUNS"); do "${JAVA[@]}" -cp "$CP" dev.javelin.perf.jit.JitFirstCall 2 4 2>/dev/null; done)
  echo "$out"
  echo "$out" | summarize_first_calls
}

if [[ "$ONLY" == "FirstCall" ]]; then
  first_call
  exit 0
fi
# A fixed, pre-touched heap (see perf/run.sh): on this VM fresh heap pages fault slowly.
"${JAVA[0]}" -Djmh.ignoreLock=true -cp "$CP" org.openjdk.jmh.Main -p threads=2 -f "${JMH_FORKS:-1}" -jvmArgsAppend "--add-modules jdk.incubator.vector ${JMH_JVM_ARGS:-} -Xms4g -Xmx4g -XX:+AlwaysPreTouch" \
  "dev.javelin.perf.jit.Jit${ONLY}"
if [[ -z "$ONLY" ]]; then
  first_call
  if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=Cooperlake OMP_NUM_THREADS=2 /usr/bin/python3 perf/jit_torch.py 2
  fi
fi
