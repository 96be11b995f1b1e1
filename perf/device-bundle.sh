#!/usr/bin/env bash
# Builds the bundle perf/gpu-check.sh runs from: a stripped JDK 25 runtime, every module's jar, test
# classes and dependencies, and the JUnit console launcher, so the GPU checks run on a machine with an
# NVIDIA driver but no Java. Usage, from the repository root once the build compiles:
#     bash perf/device-bundle.sh [DIR]          # DIR defaults to .device (carried by the device tool)
# Unlike /work/shared/tools/device-bundle.sh it needs no `mvn install` (one reactor invocation packages
# the modules and copies their dependencies), and it leaves out the spark and examples modules'
# dependencies (Spark, Hadoop, RocksDB: over 330 MiB; the device tool carries 64 MiB with the working
# tree), and the onnx module and JUnit's own jars (the console launcher has JUnit). The examples jar
# itself is in: MnistMain's convnet, mlp and lstm jobs need no Spark class. About 56 MiB; it prints
# its size. The JUnit console comes from the local Maven repository or Central.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/.device}")
JDK=${JDK25:-$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -n 1)}
[ -x "$JDK/bin/jlink" ] || { echo "device-bundle: no JDK 25 found: set JDK25"; exit 1; }
JUNIT_CONSOLE=${JUNIT_CONSOLE:-1.14.4}
DEP=org.apache.maven.plugins:maven-dependency-plugin:3.9.0
export JAVA_HOME="$JDK"
cd "$root"
rm -rf "$out"
mkdir -p "$out/lib" "$out/test-classes" "$out/console"
"$JDK/bin/jlink" --add-modules java.base,jdk.incubator.vector,jdk.unsupported,java.logging \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$out/jdk" 2>/dev/null
strip --strip-unneeded "$out/jdk/lib/server/libjvm.so" 2>/dev/null || true
# the JUnit console jar carries JUnit itself; onnx is not part of the GPU checks
./mvnw -q -B -o -DskipTests package $DEP:copy-dependencies -pl '!perf,!perf/common,!perf/javelin,!spark,!examples,!onnx' \
  -DincludeScope=test -DoutputDirectory="$out/lib" -DexcludeGroupIds=dev.javelin,org.junit.jupiter,org.junit.platform,org.opentest4j,org.apiguardian
./mvnw -q -B -o -DskipTests package -pl examples -am
./mvnw -q -B -o $DEP:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE" -DoutputDirectory="$out/console" \
  || ./mvnw -q -B $DEP:copy -Dartifact="org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE" -DoutputDirectory="$out/console"
for m in */target; do
  case "$m" in spark/target|onnx/target) continue ;; esac # Spark's classes need Spark, which is not in the bundle; onnx is not checked
  for jar in "$m"/*.jar; do
    case "$jar" in *-sources.jar|*-javadoc.jar) ;; *) [ -f "$jar" ] && cp "$jar" "$out/lib/" ;; esac
  done
  [ -d "$m/test-classes" ] && cp -r "$m/test-classes" "$out/test-classes/${m%%/*}"
done
du -sh "$out"
