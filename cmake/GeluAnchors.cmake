include_guard(GLOBAL)
# The other GELU implementations ("anchors") that the accuracy tool and the benchmark measure:
# oneDNN, SLEEF and glibc's libmvec, each optional. gelu_link_anchors(target) links those found
# into a tool and defines GELU_HAVE_DNNL, GELU_HAVE_SLEEF (+ GELU_HAVE_SLEEF_VECTOR when the
# AVX-512 and AVX2 erff variants link) and GELU_HAVE_LIBMVEC_ERFC; gelu_link_anchors(target
# NO_ONEDNN) leaves oneDNN out. The benchmark loads its oneDNNs at run time instead, two versions
# side by side: gelu_onednn_anchors(target), below. Never used for libgelu.
include(CheckCSourceCompiles)
find_library(DNNL_LIB dnnl)
find_path(DNNL_INCLUDE dnnl.h)
find_library(SLEEF_LIB sleef)
find_path(SLEEF_INCLUDE sleef.h)
if(SLEEF_LIB)
  set(CMAKE_REQUIRED_LIBRARIES ${SLEEF_LIB})
  check_c_source_compiles("void Sleef_erff16_u10avx512f(void); void Sleef_erff8_u10avx2(void);
    int main(void) { Sleef_erff16_u10avx512f(); Sleef_erff8_u10avx2(); return 0; }" GELU_SLEEF_VECTOR_ERFF)
  unset(CMAKE_REQUIRED_LIBRARIES)
endif()
# libmvec has no header; its AVX-512 erfcf appeared in glibc 2.35, so look for the symbol.
set(CMAKE_REQUIRED_LIBRARIES mvec)
check_c_source_compiles("void _ZGVeN16v_erfcf(void); int main(void) { _ZGVeN16v_erfcf(); return 0; }"
  GELU_HAVE_LIBMVEC_ERFC)
unset(CMAKE_REQUIRED_LIBRARIES)
message(STATUS "GELU anchors: oneDNN ${DNNL_LIB}, SLEEF ${SLEEF_LIB} (vector erff ${GELU_SLEEF_VECTOR_ERFF}), "
               "libmvec erfcf ${GELU_HAVE_LIBMVEC_ERFC}")

function(gelu_link_anchors target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_ONEDNN" "" "")
  if(DNNL_LIB AND DNNL_INCLUDE AND NOT ARG_NO_ONEDNN)
    target_compile_definitions(${target} PRIVATE GELU_HAVE_DNNL)
    target_include_directories(${target} PRIVATE ${DNNL_INCLUDE})
    target_link_libraries(${target} PRIVATE ${DNNL_LIB})
    # Debian's oneDNN runs on OpenMP; with it, each of our threads asks oneDNN for one thread.
    find_package(OpenMP COMPONENTS C)
    if(OpenMP_C_FOUND)
      target_link_libraries(${target} PRIVATE OpenMP::OpenMP_C)
    endif()
  endif()
  if(SLEEF_LIB AND SLEEF_INCLUDE)
    target_compile_definitions(${target} PRIVATE GELU_HAVE_SLEEF)
    if(GELU_SLEEF_VECTOR_ERFF)
      target_compile_definitions(${target} PRIVATE GELU_HAVE_SLEEF_VECTOR)
    endif()
    target_include_directories(${target} PRIVATE ${SLEEF_INCLUDE})
    target_link_libraries(${target} PRIVATE ${SLEEF_LIB})
  endif()
  if(GELU_HAVE_LIBMVEC_ERFC)
    target_compile_definitions(${target} PRIVATE GELU_HAVE_LIBMVEC_ERFC)
    target_link_libraries(${target} PRIVATE mvec)
  endif()
endfunction()

# gelu_onednn_anchors(target): the benchmark's oneDNN anchors, each optional, both in one
# process (bench/gelu_cbench_onednn.h says how): oneDNN 3.8.1 from Maven Central, unpacked by
# bench/fetch_onednn.sh into GELU_ONEDNN3_DIR (the anchor), and the system's oneDNN 2.x
# (Debian's libdnnl-dev 2.6). Neither is linked: bench/gelu_cbench_onednn.c is compiled once per
# version, against its headers, and dlopens the library found here. Defines GELU_HAVE_DNNL3 and
# GELU_HAVE_DNNL2 for the versions present.
set(GELU_ONEDNN3_DIR "$ENV{HOME}/.cache/gelu-ffm/onednn-3.8.1" CACHE PATH
    "oneDNN 3.8.1 unpacked by bench/fetch_onednn.sh (include/, libdnnl.so.3): the benchmark's anchor")

function(gelu_onednn_anchor target table label path include)
  add_library(${target}_${table} OBJECT ${PROJECT_SOURCE_DIR}/bench/gelu_cbench_onednn.c)
  # BEFORE: ahead of the system's headers, which may be another oneDNN's
  target_include_directories(${target}_${table} BEFORE PRIVATE ${include})
  target_compile_definitions(${target}_${table} PRIVATE GELU_DNNL_TABLE=${table}
    GELU_DNNL_LABEL="${label}" GELU_DNNL_PATH="${path}")
  find_package(OpenMP COMPONENTS C)
  if(OpenMP_C_FOUND)
    # Both oneDNNs run on OpenMP; libgomp is then loaded once, and each of our threads asks it
    # for one thread (gelu_cbench_onednn.c).
    target_link_libraries(${target}_${table} PUBLIC OpenMP::OpenMP_C)
  endif()
  target_link_libraries(${target} PRIVATE ${target}_${table} ${CMAKE_DL_LIBS})
endfunction()

function(gelu_onednn_anchors target)
  set(dir "${GELU_ONEDNN3_DIR}")
  if(EXISTS "${dir}/include/oneapi/dnnl/dnnl.h" AND EXISTS "${dir}/libdnnl.so.3")
    gelu_onednn_anchor(${target} gelu_dnnl3 onednn "${dir}/libdnnl.so.3" "${dir}/include")
    target_compile_definitions(${target} PRIVATE GELU_HAVE_DNNL3)
    message(STATUS "GELU benchmark anchor: oneDNN 3.8.1 in ${dir}")
  else()
    message(STATUS "GELU benchmark anchor: oneDNN 3.8.1 not found in ${dir} (GELU_ONEDNN3_DIR): "
                   "its rows are left out; bench/fetch_onednn.sh fetches it from Maven Central")
  endif()
  set(major 0)
  if(DNNL_LIB AND DNNL_INCLUDE AND EXISTS "${DNNL_INCLUDE}/oneapi/dnnl/dnnl_version.h")
    file(STRINGS "${DNNL_INCLUDE}/oneapi/dnnl/dnnl_version.h" line REGEX "#define DNNL_VERSION_MAJOR ")
    string(REGEX REPLACE ".*DNNL_VERSION_MAJOR ([0-9]+).*" "\\1" major "${line}")
  endif()
  if(major EQUAL 2)
    get_filename_component(lib "${DNNL_LIB}" REALPATH)
    gelu_onednn_anchor(${target} gelu_dnnl2 onednn2 "${lib}" "${DNNL_INCLUDE}")
    target_compile_definitions(${target} PRIVATE GELU_HAVE_DNNL2)
    message(STATUS "GELU benchmark: the system's oneDNN 2.x (${lib}) as the second oneDNN")
  else()
    message(STATUS "GELU benchmark: no system oneDNN 2.x (libdnnl-dev) found: its rows are left out")
  endif()
endfunction()
