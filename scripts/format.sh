#!/usr/bin/env bash
# The code's format, applied or checked: C under native/ with clang-format (.clang-format), Java
# with Spotless (palantir-java-format, configured in pom.xml), and shellcheck over the shell
# scripts (a check only: it has nothing to apply).
#   scripts/format.sh                    apply clang-format and Spotless
#   scripts/format.sh --check            report what would change (and shellcheck's findings); fail if anything
#   scripts/format.sh [--check] c java shell    only those parts
# Generated files are left to their generators: C headers whose first line says "do not edit",
# jextract's bindings and the generated Java tables (the excludes in pom.xml).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"

check=false
parts=()
for a in "$@"; do
  case "$a" in
    --check) check=true ;;
    c | java | shell) parts+=("$a") ;;
    *) echo "usage: scripts/format.sh [--check] [c] [java] [shell]" >&2; exit 2 ;;
  esac
done
[ ${#parts[@]} -gt 0 ] || parts=(c java shell)
failed=0

# Hand-written C sources and headers of native/ (generated headers say so on their first line).
c_files() {
  local f
  while IFS= read -r f; do
    head -1 "$f" | grep -q "do not edit" || echo "$f"
  done < <(find "$root/native" -type f \( -name '*.c' -o -name '*.h' \) | sort)
}

# The shell scripts: every *.sh outside build trees, the launcher and the CI entry point.
shell_files() {
  find "$root" -type d \( -name .git -o -name 'build*' -o -name target \) -prune -o -type f -name '*.sh' -print | sort
  echo "$root/gelu"
  echo "$root/.ci/run"
}

format_c() {
  gelu_ensure_packages clang-format
  local f files=0 lines=0 n
  if ! $check; then
    c_files | while IFS= read -r f; do clang-format -i "$f"; done
    echo "== C: clang-format applied ($(clang-format --version))"
    return
  fi
  while IFS= read -r f; do
    n=$(clang-format "$f" | diff "$f" - | grep -c '^<' || true)
    if [ "$n" -gt 0 ]; then
      echo "  ${f#"$root"/}: $n lines"
      files=$((files + 1))
      lines=$((lines + n))
    fi
  done < <(c_files)
  if [ "$files" -gt 0 ]; then
    echo "== C: $files files not formatted ($lines lines would change; scripts/format.sh c applies it)"
    failed=1
  else
    echo "== C: formatted"
  fi
}

format_java() {
  gelu_find_jdk
  gelu_ensure_packages maven
  if $check; then
    if (cd "$root" && mvn -B -q spotless:check); then
      echo "== Java: formatted"
    else
      echo "== Java: not formatted (scripts/format.sh java applies it)"
      failed=1
    fi
  else
    (cd "$root" && mvn -B -q spotless:apply)
    echo "== Java: Spotless applied"
  fi
}

check_shell() {
  gelu_ensure_packages shellcheck
  local files=()
  mapfile -t files < <(shell_files)
  # .shellcheckrc (source-path=SCRIPTDIR) lets it follow each script's source of env.sh
  if (cd "$root" && shellcheck "${files[@]}"); then
    echo "== shell: shellcheck clean (${#files[@]} scripts)"
  else
    echo "== shell: shellcheck found the problems above"
    failed=1
  fi
}

for p in "${parts[@]}"; do
  case "$p" in
    c) format_c ;;
    java) format_java ;;
    shell) if $check; then check_shell; fi ;;
  esac
done
exit "$failed"
