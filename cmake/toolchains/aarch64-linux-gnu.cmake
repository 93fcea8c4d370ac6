# Cross build for linux-aarch64 on a Debian x86-64 host (issue 22): the compiler of
# gcc-aarch64-linux-gnu, MPFR and its friends from multiarch (dpkg --add-architecture arm64;
# libmpfr-dev:arm64), and qemu-user to run the tests (ctest starts every test through it).
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
# qemu runs without -L: with libc6:arm64 installed the multiarch loader finds its libraries
# itself (with -L /usr/aarch64-linux-gnu the cross libc meets multiarch's and pthread_create hangs).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
# Headers and libraries of the target only (multiarch puts them under /usr/lib/aarch64-linux-gnu);
# programs of the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
