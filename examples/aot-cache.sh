#!/usr/bin/env bash
# Makes a JDK 25 AOT cache for a Java application that uses Javelin (JEP 483: classes loaded and
# linked ahead of time; JEP 514: one-step creation; JEP 515: method profiles), by running the
# application once as a training run, then checks that the cache is usable.
#
#   examples/aot-cache.sh app.aot java --add-modules jdk.incubator.vector -cp app.jar:lib/* my.Main args...
#   java -XX:AOTCache=app.aot --add-modules jdk.incubator.vector -cp app.jar:lib/* my.Main args...
#
# The training run should do what a start does (build the model, compile it, run a few steps or
# inferences) and then exit normally: the cache is written when the JVM exits. Use it with the same
# JDK, the same class path (jar files only, no directories; entries may be appended) and the same
# --add-modules; otherwise the JVM warns and starts without it (-XX:AOTMode=on makes that an error).
# README.md ("A faster start") has the figures; perf/coldstart.sh measures with and without a cache.
set -euo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 <cache file> java [jvm options] <main class or -jar app.jar> [args]" >&2
  exit 2
fi
cache=$1; shift
java=$1; shift
version=$("$java" -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2 == "AOTCacheOutput" { print "ok" }')
if [[ "$version" != ok ]]; then
  echo "$java has no -XX:AOTCacheOutput: a JDK 25 or later is needed" >&2
  exit 1
fi
# The class path must be jars: a directory on it stops the JVM from archiving (it says so and carries on).
prev=""
for arg in "$@"; do
  if [[ "$prev" == "-cp" || "$prev" == "-classpath" || "$prev" == "--class-path" ]]; then
    IFS=: read -r -a entries <<< "$arg"
    for e in "${entries[@]}"; do
      if [[ -d "$e" ]]; then echo "warning: $e is a directory: package it as a jar for the cache to be used" >&2; fi
    done
  fi
  prev=$arg
done
rm -f "$cache"
echo "training run: $java -XX:AOTCacheOutput=$cache $*" >&2
"$java" -XX:AOTCacheOutput="$cache" "$@"
[[ -s "$cache" ]] || { echo "no cache was written (did the application exit normally?)" >&2; exit 1; }
echo "wrote $cache ($(du -h "$cache" | cut -f1)); use it with: $java -XX:AOTCache=$cache $*" >&2
