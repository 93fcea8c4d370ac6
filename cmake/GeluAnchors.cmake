include_guard(GLOBAL)
# The other GELU implementations ("anchors") that the accuracy tool and the benchmark measure:
# oneDNN, SLEEF and glibc's libmvec, each optional. gelu_link_anchors(target) links those found
# into a tool and defines GELU_HAVE_DNNL, GELU_HAVE_SLEEF (+ GELU_HAVE_SLEEF_VECTOR when the
# AVX-512 and AVX2 erff variants link) and GELU_HAVE_LIBMVEC_ERFC. Never used for libgelu.
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
  if(DNNL_LIB AND DNNL_INCLUDE)
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
