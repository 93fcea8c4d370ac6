#!/usr/bin/env bash
# examples/spark, a Spark batch-inference job that depends on dev.gelu:gelu-ffm by coordinates,
# built against the local repository that the library was installed into, then its test run
# (mvn test): a DataFrame on local[2] through a dense layer and gelu-ffm's bias + GELU, every
# output bit equal to the library called directly in the driver, every partition on the native
# backend, and the JVM started with the options Spark's own launcher adds (docs/SPARK.md).
# Spark and its dependencies (about 300 MB) are resolved into ~/.m2 once (the first run downloads
# them from Maven Central); the temporary repository copies them from there.
# Usage: scripts/spark-test.sh [MAVEN_TMP]
#   MAVEN_TMP  a directory set up by gelu_temp_maven_repo into which `mvn install` has put the
#              artifacts (scripts/test.sh does this); without it, a temporary one is made, the
#              artifacts are installed into it (-DskipTests) and it is removed afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
gelu_find_jdk
version=$(sed -n 's/^#define GELU_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' "$root/native/include/gelu.h" | paste -sd.)
spark=$(sed -n 's|.*<spark.version>\(.*\)</spark.version>.*|\1|p' "$root/examples/spark/pom.xml")
work="$(mktemp -d "${TMPDIR:-/tmp}/gelu-spark.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if [ -n "${1:-}" ]; then
  mvn_tmp="$1"
  gelu_temp_maven_repo "$mvn_tmp"
else
  mvn_tmp="$work/maven"
  gelu_temp_maven_repo "$mvn_tmp"
  echo "-- mvn install -DskipTests into $mvn_tmp/repo"
  (cd "$root" && mvn -B -q "${GELU_MVN_TMP[@]}" install -DskipTests)
fi
installed="$mvn_tmp/repo/dev/gelu/gelu-ffm/$version/gelu-ffm-$version.jar"
[ -f "$installed" ] || { echo "FAIL: $installed was not installed" >&2; exit 1; }

echo "-- Spark $spark in ~/.m2 (downloaded on the first run only)"
mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:get \
  -Dartifact="org.apache.spark:spark-sql_2.13:$spark"

cp -r "$root/examples/spark" "$work/app"
rm -rf "$work/app/target"
echo "-- examples/spark against dev.gelu:gelu-ffm:$version, Spark $spark, local[2]"
start=$SECONDS
if ! (cd "$work/app" && mvn -B -q "${GELU_MVN_TMP[@]}" test -Dgelu.version="$version"); then
  echo "FAIL: the Spark example's test (surefire reports were in $work/app/target/surefire-reports)"
  exit 1
fi
summary=$(sed -n 's/^Tests run: \([0-9]*\), Failures: 0, Errors: 0, Skipped: 0.*/\1 tests/p' \
  "$work/app/target/surefire-reports/"*.txt | paste -sd+)
echo "ok   Spark job bit-identical to gelu-ffm called directly, native in every partition ($summary, $((SECONDS - start)) s)"
