#!/usr/bin/env bash
# Runs Javelin's benchmarks and the peers' (DJL/libtorch, ND4J/OpenBLAS, EJML) in one go, each
# library in its own JVM, the libraries back to back for each benchmark, shape and thread count so
# they see the same load, and prints one Markdown table (rates from the median sample; see
# perf/README.md).
#
#   perf/run.sh                 # everything (about 15 minutes)
#   perf/run.sh --quick         # fewer iterations (about 6 minutes)
#   perf/run.sh --quick Sgemm   # only benchmarks whose class starts with Sgemm (ONLY="Softmax Copy" for several)
#   PEERS="djl" perf/run.sh     # a subset of peers (djl nd4j ejml)
#   VALUES="1024 2048" perf/run.sh Sgemm           # only these shapes (or conv layers)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"

# A fixed, pre-touched heap for every fork: on this VM a page of fresh heap costs a fault the host
# serves slowly (eager ops that allocate 64 MB outputs ran 25x slower while the heap grew), which
# would measure the VM, not the library.
HEAP=(-jvmArgsAppend "--add-modules jdk.incubator.vector -Xms4g -Xmx4g -XX:+AlwaysPreTouch")  # replaces @Fork's jvmArgsAppend
JMH_ARGS=(-wi 3 -w 1 -i 5 -r 1 -f 1 "${HEAP[@]}")
if [[ "${1:-}" == "--quick" ]]; then JMH_ARGS=(-wi 2 -w 1 -i 3 -r 1 -f 1 "${HEAP[@]}"); shift; fi
ONLY="${1:-${ONLY:-}}"
PEERS="${PEERS:-djl nd4j ejml}"
THREADS="${THREADS:-1 2}"

modules=(javelin)
for p in $PEERS; do modules+=("peer-$p"); done
list=$(IFS=,; echo "${modules[*]/#/perf/}")

echo "Building $list (the first -Ppeers build downloads the peers, about 300 MB, once) ..." >&2
# One reactor build, so sibling modules resolve to their fresh target/ jars, not to ~/.m2 snapshots.
./mvnw -B -q -Ppeers -pl "$list" -am package dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -DskipTests >&2

out="perf/target/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
# OpenBLAS 0.3.19 (ND4J's) does not recognise this CPU and would fall back to SSE3 kernels.
export OPENBLAS_CORETYPE=Cooperlake
# Native runtimes size their pools from these; Javelin takes its count from the benchmark's param.
benches=(Sgemm Conv Softmax Elementwise Copy)
[[ "$ONLY" == SgemmEdge* ]] && benches=(SgemmEdge)  # the edge-tile guard, by hand only
# One JVM per (benchmark, parameter, threads, library), the libraries back to back, so each
# comparison sees the same load on this shared host.
params() {
  case "$1" in
    Sgemm) for s in 256 512 1024 2048 128x784x512; do echo "shape=$s"; done;;
    Conv) echo "layer=conv1"; echo "layer=conv2";;
    *) echo "-";;  # no parameter besides threads
  esac
}
for bench in "${benches[@]}"; do
  if [[ -n "$ONLY" ]]; then
    keep=0
    for o in $ONLY; do [[ "$bench" == "$o"* ]] && keep=1; done
    [[ $keep == 1 ]] || continue
  fi
  for param in $(params "$bench"); do
    [[ "$param" == "-" ]] && param=""
    [[ -n "${VALUES:-}" && -n "$param" && " $VALUES " != *" ${param#*=} "* ]] && continue
    for t in $THREADS; do
      for m in "${modules[@]}"; do
        classes="perf/$m/target/classes"
        grep -q "\.${bench}Bench " "$classes/META-INF/BenchmarkList" 2>/dev/null || continue
        tag="$m-$bench-${param#*=}-$t"
        echo "== $bench ${param:-} threads=$t $m" >&2
        pargs=(-p threads="$t")
        [[ -n "$param" ]] && pargs+=(-p "$param")
        OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t \
          "$JAVA" -cp "$classes:$(cat "perf/$m/target/cp.txt")" org.openjdk.jmh.Main \
          "${JMH_ARGS[@]}" ${JMH_EXTRA:-} "${pargs[@]}" -rf json -rff "$out/$tag.json" "\.${bench}Bench\." \
          > "$out/$tag.log" 2>&1 || echo "   failed: see $out/$tag.log" >&2
      done
    done
  done
done

label() { case "$1" in javelin) echo Javelin;; peer-djl) echo "DJL (libtorch)";; peer-nd4j) echo "ND4J (OpenBLAS)";; peer-ejml) echo EJML;; esac; }
args=()
for m in "${modules[@]}"; do
  files=$(ls "$out/$m"-*.json 2>/dev/null | paste -sd, - || true)
  args+=("$(label "$m")=${files:-none}")
done
echo "Results in $out" >&2
"$JAVA" -cp perf/common/target/classes:json/target/classes dev.javelin.perf.Report "${args[@]}"
