#!/usr/bin/env bash
# What the linux-aarch64 leg needs (issue 22), installed when missing (as root, on Debian):
# the cross compiler, qemu-user, MPFR and libc for arm64 through multiarch; and with --jdk an
# arm64 JDK 25 from Debian trixie, unpacked by mmdebstrap (the extract variant: no binfmt
# needed) into ${XDG_CACHE_HOME:-~/.cache}/gelu-ffm/jdk25-arm64, about 600 MB, once.
# Idempotent: a second run installs and downloads nothing. With --jdk, prints the root of that
# tree (run java as: qemu-aarch64 -L ROOT ROOT/usr/lib/jvm/java-25-openjdk-arm64/bin/java).
# qemu-aarch64 runs the C programs without -L (multiarch's loader finds libc6:arm64 itself).
# Usage: scripts/aarch64-setup.sh [--jdk]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=env.sh
source "$root/scripts/env.sh"
jdk=false
case "${1:-}" in
  "") ;;
  --jdk) jdk=true ;;
  *) echo "usage: scripts/aarch64-setup.sh [--jdk]" >&2; exit 2 ;;
esac

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  [ "$(id -u)" = 0 ] || { echo "gelu: dpkg has no arm64 architecture (run as root: dpkg --add-architecture arm64)" >&2; exit 1; }
  echo "gelu: adding the arm64 architecture to dpkg (multiarch)" >&2
  dpkg --add-architecture arm64
  apt-get update -qq >&2
fi
gelu_ensure_packages gcc-aarch64-linux-gnu qemu-user libc6:arm64 libmpfr-dev:arm64 libgomp1:arm64
$jdk || exit 0

gelu_ensure_packages mmdebstrap
cache="${XDG_CACHE_HOME:-$HOME/.cache}/gelu-ffm"
dir="$cache/jdk25-arm64"
java="$dir/usr/lib/jvm/java-25-openjdk-arm64/bin/java"
if [ ! -x "$java" ]; then
  echo "gelu: unpacking an arm64 JDK 25 (Debian trixie) into $dir" >&2
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/jdk25-arm64.XXXXXX")"
  mmdebstrap --quiet --arch=arm64 --variant=extract --include=openjdk-25-jdk-headless trixie "$tmp" >&2
  # the loader and the JDK look for /bin, /sbin and /lib, which the extract variant leaves out
  for d in bin sbin lib; do [ -e "$tmp/$d" ] || ln -s "usr/$d" "$tmp/$d"; done
  # Debian's JDK links its conf files to /etc/java-25-openjdk: absolute links resolve on the
  # host, outside qemu's -L tree, so they become relative ones inside it
  find "$tmp/usr/lib/jvm" -type l -lname '/*' | while IFS= read -r l; do
    ln -sfr "$tmp$(readlink "$l")" "$l"
  done
  rm -rf "$dir"
  mv "$tmp" "$dir"
fi
echo "$dir"
