# shellcheck shell=bash
# Sourced by ./gelu, scripts/test.sh and .ci/run: finds a JDK 25, installs missing build
# packages when root, and builds the CLI jar (Maven, which runs CMake for libgelu) when stale.
# Everything it prints goes to stderr, so callers' stdout stays clean.

gelu_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

gelu_java_version() { # major version of the JDK at $1, or 0
  local rel="$1/release" v
  if [ ! -x "$1/bin/java" ] || [ ! -x "$1/bin/javac" ]; then echo 0; return; fi
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel" 2>/dev/null)
  echo "${v:-0}"
}

# The class files are release 25 (java/pom.xml), so building and running both need a JDK 25+.
gelu_min_jdk=25

gelu_find_jdk() {
  local c best="" bestv=0 v
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/* /opt/java/* /usr/local/lib/jvm/*; do
    if [ -z "$c" ] || [ ! -d "$c" ]; then continue; fi
    v=$(gelu_java_version "$c")
    if [ "$v" -ge "$gelu_min_jdk" ] && [ "$v" -gt "$bestv" ]; then best="$c"; bestv="$v"; fi
  done
  if [ -z "$best" ]; then
    echo "gelu: no JDK >= $gelu_min_jdk found (looked at \$JAVA_HOME and /usr/lib/jvm); install one, e.g. temurin-25-jdk" >&2
    return 1
  fi
  export JAVA_HOME="$best"
  # shellcheck disable=SC2034 # read by the scripts that source this file
  GELU_JAVA="$best/bin/java"
  # Maven 3.8's Guava warns about sun.misc.Unsafe on JDK 24+ at every run; the warning is not ours.
  if [ "$bestv" -ge 24 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
  # Maven 3.8's jansi writes ESC[0m to both streams of every run, even with -B, unless told not
  # to (.mvn/jvm.config does the same for mvn typed by hand in this project)
  if [[ "${MAVEN_OPTS:-}" != *jansi.noreset* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} -Djansi.noreset=true"
  fi
}

# Debian packages the build needs; installed only when missing and when we are root.
gelu_ensure_packages() {
  local missing=() p arch
  arch="$(dpkg --print-architecture 2>/dev/null || true)"
  # a package installed for two architectures (libmpfr-dev for amd64 and, for the aarch64 leg,
  # arm64) is ambiguous to dpkg -s by name alone: ask for the native one then
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || dpkg -s "$p:$arch" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "gelu: installing ${missing[*]}" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >&2
  else
    echo "gelu: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    return 1
  fi
}

# The executable CLI jar, cli/target/gelu-cli.jar (the library and libgelu shaded in); Maven's
# build of java/ configures and builds libgelu with CMake (scripts/build-native.sh), without
# the C tests, so MPFR is not needed here. Rebuilt only when a source is newer than the jar.
gelu_cli_jar="$gelu_root/cli/target/gelu-cli.jar"

gelu_build_if_needed() {
  gelu_find_jdk
  local jar="$gelu_cli_jar" stale=""
  # find fails when the jar is missing, and head may cut find short: neither may stop set -e callers
  if [ -f "$jar" ]; then
    stale=$(cd "$gelu_root" && find native cmake CMakeLists.txt java/src/main cli/src/main pom.xml java/pom.xml \
      cli/pom.xml .mvn scripts/build-native.sh -newer "$jar" -type f 2>/dev/null | head -1) || true
  fi
  if [ ! -f "$jar" ] || [ -n "$stale" ]; then
    echo "gelu: building $jar (Maven; CMake builds libgelu)" >&2
    gelu_ensure_packages cmake gcc make maven
    (cd "$gelu_root" && mvn -q -B package -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl cli -am) >&2
  fi
}

# A temporary local Maven repository in $1/repo, so that installing dev.gelu artifacts never
# touches ~/.m2. What ~/.m2/repository already holds (plugins, JUnit, Arrow) is read from there
# as a file:// repository, copied and never written; the rest comes from Maven Central. Sets
# GELU_MVN_TMP to the Maven options that select it.
gelu_temp_maven_repo() {
  local dir="$1" cache="$HOME/.m2/repository"
  mkdir -p "$dir/repo"
  {
    echo '<settings><profiles><profile><id>gelu-temp-repo</id>'
    if [ -d "$cache" ]; then
      local r="<id>user-cache</id><url>file://$cache</url><snapshots><enabled>false</enabled></snapshots>"
      echo "<repositories><repository>$r</repository></repositories>"
      echo "<pluginRepositories><pluginRepository>$r</pluginRepository></pluginRepositories>"
    fi
    echo '</profile></profiles><activeProfiles><activeProfile>gelu-temp-repo</activeProfile></activeProfiles></settings>'
  } >"$dir/settings.xml"
  # shellcheck disable=SC2034 # read by the scripts that source this file
  GELU_MVN_TMP=(-Dmaven.repo.local="$dir/repo" -gs "$dir/settings.xml")
}
