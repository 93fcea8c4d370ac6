# Sourced by ./gelu, scripts/test.sh and .ci/run: finds a JDK >= 22, installs missing build
# packages when root, and builds the native library and the jar when they are stale.
# Everything it prints goes to stderr, so callers' stdout stays clean.

gelu_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

gelu_java_version() { # major version of the JDK at $1, or 0
  local rel="$1/release" v
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || { echo 0; return; }
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel" 2>/dev/null)
  echo "${v:-0}"
}

gelu_find_jdk() {
  local c best="" bestv=0 v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do
    [ -n "$c" ] && [ -d "$c" ] || continue
    v=$(gelu_java_version "$c")
    if [ "$v" -ge 22 ] && [ "$v" -gt "$bestv" ]; then best="$c"; bestv="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "gelu: no JDK >= 22 found (looked at \$JAVA_HOME and /usr/lib/jvm); install one, e.g. temurin-25-jdk" >&2
    return 1
  fi
  export JAVA_HOME="$best"
  GELU_JAVA="$best/bin/java"
  # Maven 3.8's Guava warns about sun.misc.Unsafe on JDK 24+ at every run; the warning is not ours.
  if [ "$bestv" -ge 24 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
}

# Debian packages the build needs; installed only when missing and when we are root.
gelu_ensure_packages() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "gelu: installing ${missing[*]}" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >&2
  else
    echo "gelu: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    return 1
  fi
}

gelu_build_native() {
  gelu_ensure_packages cmake gcc make libmpfr-dev
  cmake -S "$gelu_root" -B "$gelu_root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$gelu_root/build" -j "$(nproc)" >/dev/null
}

gelu_build_jar() {
  gelu_ensure_packages maven
  (cd "$gelu_root" && mvn -q -B package -DskipTests) >&2
}

# Rebuilds only what is older than its sources.
gelu_build_if_needed() {
  gelu_find_jdk
  local lib="$gelu_root/build/native-resources/natives/linux-x86_64/libgelu.so"
  local stamp="$gelu_root/build/.native-built" # the library is only relinked when it changes
  local jar="$gelu_root/target/gelu-ffm.jar"
  if [ ! -f "$lib" ] || [ ! -f "$stamp" ] || [ -n "$(find "$gelu_root/native" "$gelu_root/CMakeLists.txt" -newer "$stamp" -type f 2>/dev/null | head -1)" ]; then
    echo "gelu: building the native library" >&2
    gelu_build_native
    touch "$stamp"
  fi
  if [ ! -f "$jar" ] || [ "$lib" -nt "$jar" ] || [ -n "$(find "$gelu_root/java/src/main" "$gelu_root/pom.xml" -newer "$jar" -type f 2>/dev/null | head -1)" ]; then
    echo "gelu: building the jar" >&2
    gelu_build_jar
  fi
}
