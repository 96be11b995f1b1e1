#!/usr/bin/env bash
# The sequence work's acceptance timings (perf/NOTES.md, "Sequence models: attention and char-GPT"),
# Javelin and PyTorch eager in one session at 2 threads:
#   perf/seq-bench.sh            # attention fwd+bwd, char-GPT train step, generation; then PyTorch's
#   perf/seq-bench.sh charlm     # also the full charlm job in PyTorch (perf/charlm_pytorch.py, minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
THREADS="${THREADS:-2}"
./mvnw -B -q -o -pl perf/javelin -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests >&2
CP="perf/javelin/target/classes:$(cat perf/javelin/target/cp.txt)"
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -Xmx8g)
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"${JAVA[@]}" -cp "$CP" dev.javelin.perf.seq.AttentionTiming "$THREADS" 5 2>/dev/null
"${JAVA[@]}" -cp "$CP" dev.javelin.perf.seq.CharGptTiming "$THREADS" 20 2>/dev/null
export OMP_NUM_THREADS="$THREADS" OMP_WAIT_POLICY=PASSIVE OPENBLAS_CORETYPE=Cooperlake
/usr/bin/python3 perf/seq_torch.py "$THREADS"
/usr/bin/python3 perf/charlm_pytorch.py --time-steps=20
if [ "${1:-}" = charlm ]; then /usr/bin/python3 perf/charlm_pytorch.py; fi
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
