/*
 * gelu_jni.c - the JNI side of the cross-language call-cost comparison (issue #13): the
 * native methods of gelu.interop.JniGelu (bench/interop/InteropBench.java), each a thin
 * wrapper around gelu_erf_f32 from build/libgelu.so. Built by scripts/interop.sh as
 * build/interop/libgelu_jni.so against the JDK's include directory.
 *
 *   erfCritical(float[] x, float[] y, int n)   GetPrimitiveArrayCritical on both arrays, no copy
 *   erfRegion(float[] x, float[] y, int n)     the copying idiom: Get/SetFloatArrayRegion through
 *                                              a C stack buffer (n <= 4096 only)
 *   erfBuffer(ByteBuffer x, ByteBuffer y, int n)  direct ByteBuffers, GetDirectBufferAddress
 *   erfAddress(long x, long y, long n)         raw addresses (e.g. MemorySegment.address())
 *
 * Each returns gelu_erf_f32's return code (or -100 when JNI could not give the memory).
 */
#include <gelu.h>
#include <jni.h>

#define REGION_MAX 4096

JNIEXPORT jint JNICALL Java_gelu_interop_JniGelu_erfCritical(JNIEnv *env, jclass cls, jfloatArray x, jfloatArray y,
                                                             jint n) {
  (void)cls;
  float *px = (*env)->GetPrimitiveArrayCritical(env, x, NULL);
  if (px == NULL) return -100;
  float *py = (*env)->GetPrimitiveArrayCritical(env, y, NULL);
  if (py == NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
    return -100;
  }
  int rc = gelu_erf_f32(px, py, (size_t)n);
  (*env)->ReleasePrimitiveArrayCritical(env, y, py, 0);
  (*env)->ReleasePrimitiveArrayCritical(env, x, px, JNI_ABORT);
  return rc;
}

JNIEXPORT jint JNICALL Java_gelu_interop_JniGelu_erfRegion(JNIEnv *env, jclass cls, jfloatArray x, jfloatArray y,
                                                           jint n) {
  (void)cls;
  float bx[REGION_MAX], by[REGION_MAX];
  if (n < 0 || n > REGION_MAX) return -100;
  (*env)->GetFloatArrayRegion(env, x, 0, n, bx);
  int rc = gelu_erf_f32(bx, by, (size_t)n);
  (*env)->SetFloatArrayRegion(env, y, 0, n, by);
  return rc;
}

JNIEXPORT jint JNICALL Java_gelu_interop_JniGelu_erfBuffer(JNIEnv *env, jclass cls, jobject x, jobject y, jint n) {
  (void)cls;
  const float *px = (*env)->GetDirectBufferAddress(env, x);
  float *py = (*env)->GetDirectBufferAddress(env, y);
  if (px == NULL || py == NULL) return -100;
  return gelu_erf_f32(px, py, (size_t)n);
}

JNIEXPORT jint JNICALL Java_gelu_interop_JniGelu_erfAddress(JNIEnv *env, jclass cls, jlong x, jlong y, jlong n) {
  (void)env;
  (void)cls;
  return gelu_erf_f32((const float *)(intptr_t)x, (float *)(intptr_t)y, (size_t)n);
}
