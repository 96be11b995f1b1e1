#!/usr/bin/env bash
# Cold start in fresh JVMs: a user's first tensor op, and the first call of the compiled MLP
# 784-512-512-10 Adam train step (batch 128, 2 threads), each timed from the JVM's launch
# (dev.javelin.perf.jit.ColdStart), without and with a JDK 25 AOT cache. Figures go to perf/NOTES.md.
#
#   perf/coldstart.sh            # RUNS (default 7) rounds, each: op, step, op with AOT, step with AOT
#   AOT=0 perf/coldstart.sh      # without the AOT cache only
#   DIAG=1 perf/coldstart.sh     # also one diagnostic run of each: classes loaded by origin,
#                                # the JIT's phases (JAVELIN_DEBUG=1), HotSpot's compile time
#   JAVA_OPTS="-Xint" perf/coldstart.sh   # extra JVM options for every run
#
# On the shared host run it under the landing lock: flock /work/land.queue.lock perf/coldstart.sh
# The AOT cache is made by one training run of both modes (-XX:AOTCacheOutput, JEP 483/514/515) into
# perf/javelin/target/coldstart.aot; the class path must be jars only for the cache to be used.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
RUNS="${RUNS:-7}"
AOT="${AOT:-1}"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  ./mvnw -B -q -o -pl perf/javelin -am package dependency:build-classpath -Dmdep.outputFile=target/cp.txt -DskipTests >&2
fi
CP="$(ls perf/javelin/target/javelin-perf-javelin-*.jar | head -1):$(cat perf/javelin/target/cp.txt)"
CACHE=perf/javelin/target/coldstart.aot
read -r -a EXTRA <<< "${JAVA_OPTS:-}"
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector "${EXTRA[@]}" -cp "$CP")

# One fresh JVM; the launch time is taken just before exec so the JVM's own start is counted.
one() { # mode [jvm options...]
  local mode=$1; shift
  "${JAVA[@]}" "$@" -Dcoldstart.launchNanos="$(date +%s%N)" dev.javelin.perf.jit.ColdStart "$mode" 2>/dev/null
}

# Median, min and max of every "name N ms" figure in the lines read, in order of first appearance.
summarize() { # label
  awk -v label="$1" '
    { for (i = 1; i < NF; i++) if ($(i + 1) ~ /^ms[,;)]?$/ || $(i + 1) == "ms") {
        key = $(i - 1); if ($(i - 2) == "first" || $(i - 2) == "op") key = $(i - 2) " " key
        gsub(/[(,;]/, "", key); v = $i + 0
        if (!(key in n)) order[++keys] = key
        vals[key, n[key]++] = v } }
    /classes [0-9]/ { for (i = 1; i < NF; i++) if ($i == "classes") { c = $(i + 1); gsub(/,/, "", c); cls[nc++] = c + 0 } }
    function median(k,   s, i, j, t, m) { m = n[k]; for (i = 0; i < m; i++) s[i] = vals[k, i]
      for (i = 0; i < m; i++) for (j = i + 1; j < m; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
      lo = s[0]; hi = s[m - 1]; return m % 2 ? s[int(m / 2)] : (s[m / 2 - 1] + s[m / 2]) / 2 }
    END { printf "%-10s", label
      for (k = 1; k <= keys; k++) { med = median(order[k]); printf " | %s %.0f (%.0f-%.0f)", order[k], med, lo, hi }
      if (nc) printf " | classes %d", cls[0]
      printf "  [ms, median (min-max) of %d]\n", n[order[1]] }'
}

if [[ "$AOT" == 1 ]]; then
  rm -f "$CACHE"
  # One training run covers both measured workloads: the op, then the train step, in one JVM.
  "${JAVA[@]}" -XX:AOTCacheOutput="$CACHE" dev.javelin.perf.jit.ColdStart both >/dev/null 2>"$CACHE.log" \
    || { echo "AOT cache training run failed, see $CACHE.log" >&2; exit 1; }
  echo "# AOT cache: $CACHE ($(du -h "$CACHE" | cut -f1))"
fi

echo "# $RUNS rounds of fresh JVMs, 2 threads; load average before: $(cut -d' ' -f1-3 /proc/loadavg); JAVA_OPTS=${JAVA_OPTS:-none}"
op="" step="" aop="" astep=""
for r in $(seq "$RUNS"); do
  op+="$(one op)"$'\n'
  step+="$(one step)"$'\n'
  if [[ "$AOT" == 1 ]]; then
    aop+="$(one op -XX:AOTCache="$CACHE")"$'\n'
    astep+="$(one step -XX:AOTCache="$CACHE")"$'\n'
  fi
done
[[ -n "${VERBOSE:-}" ]] && printf '%s%s%s%s' "$op" "$step" "$aop" "$astep"
printf '%s' "$op" | summarize "op"
printf '%s' "$step" | summarize "step"
if [[ "$AOT" == 1 ]]; then
  printf '%s' "$aop" | summarize "op AOT"
  printf '%s' "$astep" | summarize "step AOT"
fi
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if [[ "${DIAG:-0}" == 1 ]]; then
  log=$(mktemp)
  for mode in op step; do
    "${JAVA[@]}" -Xlog:class+load=info:file="$log" -Dcoldstart.launchNanos="$(date +%s%N)" dev.javelin.perf.jit.ColdStart "$mode" >/dev/null 2>&1
    echo "# $mode: classes loaded by origin (-Xlog:class+load)"
    awk '/source:/ { name = $2; src = $0; sub(/.*source: /, "", src)
           if (name ~ /\/0x/) { if (name ~ /\$\$Lambda/) o = "hidden: lambdas"
                                else if (name ~ /^dev\.javelin\.kernels\.codegen\.[ERC]_/) o = "hidden: generated kernels"
                                else if (name ~ /LambdaForm|java\.lang\.invoke/) o = "hidden: method-handle forms"
                                else o = "hidden: other" }
           else if (src ~ /shared objects file/) o = "JDK, from the CDS/AOT archive"
           else if (src ~ /jrt:\/jdk.incubator.vector/) o = "JDK: jdk.incubator.vector"
           else if (src ~ /jrt:\//) o = "JDK: other modules"
           else if (src ~ /javelin-[a-z]+-[0-9]/) o = "javelin jars"
           else if (src ~ /\.jar/) o = "other jars"
           else o = "other: " src
           c[o]++; n++ } END { for (o in c) printf "  %5d %s\n", c[o], o; printf "  %5d in all\n", n }' "$log" | sort -rn
    JAVELIN_DEBUG=1 "${JAVA[@]}" -XX:+CITime -Dcoldstart.launchNanos="$(date +%s%N)" dev.javelin.perf.jit.ColdStart "$mode" 2>&1 \
      | grep -E "^coldstart|\[javelin-jit\] (compiled [0-9]|compile:|optimize:|B_matmul)|\[javelin\] cpu-vector|C1 \{|C2 \{|Total compilation time"
  done
  rm -f "$log"
fi
