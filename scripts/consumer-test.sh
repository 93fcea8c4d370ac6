#!/usr/bin/env bash
# The published library as a user meets it: packaging/java-consumer, a separate project that
# depends on dev.gelu:gelu-ffm by coordinates, built against the local repository that the
# library was installed into, then run
#   - on the module path with --enable-native-access=dev.gelu, and on the class path with
#     --enable-native-access=ALL-UNNAMED (the README's flags): native, the best ISA of this
#     CPU, and not one line on stderr;
#   - as java -jar app.jar whose manifest has Enable-Native-Access: ALL-UNNAMED: the same;
#   - with no flag: native still runs and the JDK prints its restricted-method warning;
#   - with --illegal-native-access=deny: the library falls back to Java and logs the flag.
# Also: the installed CLI jar runs with java -jar (native, no stderr) and holds neither JMH nor
# a module descriptor; Maven on a JDK older than 25 stops with the message that names the fix;
# and Maven's output in this project has no ANSI escape codes.
# Usage: scripts/consumer-test.sh [MAVEN_TMP]
#   MAVEN_TMP  a directory set up by gelu_temp_maven_repo into which `mvn install` has put the
#              artifacts (scripts/test.sh does this); without it, a temporary one is made, the
#              artifacts are installed into it (-DskipTests) and it is removed afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
gelu_find_jdk
version=$(sed -n 's/^#define GELU_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' "$root/native/include/gelu.h" | paste -sd.)
work="$(mktemp -d "${TMPDIR:-/tmp}/gelu-java-consumer.XXXXXX")"
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
listing="$("$JAVA_HOME/bin/jar" tf "$installed")"
for f in natives/linux-x86_64/libgelu.so module-info.class; do
  grep -qx "$f" <<<"$listing" || { echo "FAIL: the installed jar has no $f" >&2; exit 1; }
done
if grep -q '^dev/gelu/cli/' <<<"$listing"; then echo "FAIL: the library jar contains the CLI" >&2; exit 1; fi
for kind in sources javadoc; do
  [ -f "${installed%.jar}-$kind.jar" ] || { echo "FAIL: no $kind jar installed" >&2; exit 1; }
done

cp -r "$root/packaging/java-consumer" "$work/app"
echo "-- building the consumer project against dev.gelu:gelu-ffm:$version"
(cd "$work/app" && mvn -B -q "${GELU_MVN_TMP[@]}" package -Dgelu.version="$version")
jar="$work/app/target/app.jar" lib="$work/app/target/lib/gelu-ffm-$version.jar"
[ -f "$lib" ] || { echo "FAIL: the consumer did not get gelu-ffm-$version.jar" >&2; exit 1; }

flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -1)
has() { for f in "$@"; do [[ " $flags " == *" $f "* ]] || return 1; done; }
if has avx512f avx512dq avx512vl avx512bw; then isa=avx512; elif has avx2 fma; then isa=avx2; else isa=scalar; fi

failed=0
# check NAME EXPECTED_STDOUT STDERR_MODE COMMAND...: STDERR_MODE is "empty" or a grep pattern
check() {
  local name="$1" want="$2" errmode="$3" out err
  shift 3
  out="$("$@" 2>"$work/stderr")" || { echo "FAIL $name: exit code $?; stderr:"; cat "$work/stderr"; failed=1; return; }
  err="$(cat "$work/stderr")"
  if [ "$out" != "$want" ]; then
    echo "FAIL $name: printed '$out', expected '$want'; stderr: $err"
    failed=1
  elif [ "$errmode" = empty ] && [ -n "$err" ]; then
    echo "FAIL $name: stderr not empty: $err"
    failed=1
  elif [ "$errmode" != empty ] && ! grep -q -e "$errmode" <<<"$err"; then
    echo "FAIL $name: stderr lacks '$errmode': $err"
    failed=1
  else
    echo "ok   $name: $out"
  fi
}
java="$GELU_JAVA"
check "module path, --enable-native-access=dev.gelu" "backend=native isa=$isa module=dev.gelu" empty \
  "$java" --enable-native-access=dev.gelu -p "$jar:$lib" -m app/app.Main
check "class path, --enable-native-access=ALL-UNNAMED" "backend=native isa=$isa module=unnamed" empty \
  "$java" --enable-native-access=ALL-UNNAMED -cp "$jar:$lib" app.Main
check "java -jar, Enable-Native-Access in the app's manifest" "backend=native isa=$isa module=unnamed" empty \
  "$java" -jar "$jar"
check "class path, no flag (JDK 25 warns, native runs)" "backend=native isa=$isa module=unnamed" \
  "Use --enable-native-access=ALL-UNNAMED to avoid a warning" "$java" -cp "$jar:$lib" app.Main
check "module path, no flag (JDK 25 warns, native runs)" "backend=native isa=$isa module=dev.gelu" \
  "Use --enable-native-access=dev.gelu to avoid a warning" "$java" -p "$jar:$lib" -m app/app.Main
check "--illegal-native-access=deny: Java fallback, logged" "backend=scalar isa=java module=dev.gelu" \
  "add --enable-native-access=dev.gelu" "$java" --illegal-native-access=deny -p "$jar:$lib" -m app/app.Main
check "GELU_MAX_ISA=avx2 via the consumer" "backend=native isa=$([ $isa = scalar ] && echo scalar || echo avx2) module=dev.gelu" empty \
  env GELU_MAX_ISA=avx2 "$java" --enable-native-access=dev.gelu -p "$jar:$lib" -m app/app.Main

cli="$mvn_tmp/repo/dev/gelu/gelu-cli/$version/gelu-cli-$version.jar"
[ -f "$cli" ] || { echo "FAIL: $cli was not installed" >&2; exit 1; }
cli_listing="$("$JAVA_HOME/bin/jar" tf "$cli")"
for f in natives/linux-x86_64/libgelu.so dev/gelu/cli/Main.class dev/gelu/Gelu.class; do
  grep -qx "$f" <<<"$cli_listing" || { echo "FAIL: the CLI jar has no $f"; failed=1; }
done
if grep -q -e '^org/openjdk/jmh/' -e 'module-info.class' <<<"$cli_listing"; then
  echo "FAIL: the CLI jar holds JMH or a module descriptor"; failed=1
fi
if grep -q '^org/openjdk/jmh/' <<<"$listing"; then echo "FAIL: the library jar holds JMH"; failed=1; fi
check "java -jar gelu-cli.jar --version" "gelu $version" empty "$java" -jar "$cli" --version
info="$("$java" -jar "$cli" info 2>"$work/stderr")"
if grep -q "^backend   native ($isa)" <<<"$info" && [ ! -s "$work/stderr" ]; then
  echo "ok   java -jar gelu-cli.jar info: native ($isa), nothing on stderr"
else
  echo "FAIL java -jar gelu-cli.jar info:"; echo "$info"; cat "$work/stderr"; failed=1
fi

# Maven itself, in this project: no ANSI codes (.mvn/jvm.config), and a clear word on an old JDK.
mvn_out="$(cd "$root" && MAVEN_OPTS=--sun-misc-unsafe-memory-access=allow mvn -B -q -N validate 2>&1)" || {
  echo "FAIL mvn validate: $mvn_out"; failed=1; }
if [[ "$mvn_out" == *$'\e'* ]]; then
  echo "FAIL mvn -q validate printed ANSI escape codes: $(printf %q "$mvn_out")"; failed=1
else
  echo "ok   mvn -q validate: no ANSI escape codes"
fi
old=""
for c in /usr/lib/jvm/*; do
  v=$(gelu_java_version "$c")
  if [ "$v" -gt 0 ] && [ "$v" -lt 25 ]; then old="$c"; break; fi
done
if [ -n "$old" ]; then
  old_out="$(cd "$root" && JAVA_HOME="$old" MAVEN_OPTS='' mvn -B -q -N validate 2>&1)" && {
    echo "FAIL mvn on $old did not stop"; failed=1; }
  if grep -q "Point JAVA_HOME at a JDK 25" <<<"$old_out"; then
    echo "ok   mvn on $(basename "$old"): stops and names JDK 25"
  else
    echo "FAIL mvn on $old: $old_out"; failed=1
  fi
else
  echo "skip mvn on an old JDK: none installed"
fi
exit $failed
