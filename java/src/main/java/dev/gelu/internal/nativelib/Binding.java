package dev.gelu.internal.nativelib;

import dev.gelu.internal.ffm.GeluNative;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * One libgelu function's jextract binding: the generated {@code GeluNative.NAME$address()},
 * {@code $descriptor()} and {@code $handle()}, found by the function's C name so that the
 * kernel tables follow gelu.h's name scheme instead of listing every function. jextract cannot
 * add linker options and its output is never edited, so the {@code critical} handles are built
 * here from the generated address and descriptor; BindingsMatchHeaderTest keeps the bindings
 * complete and their descriptors equal to gelu.h's prototypes.
 */
record Binding(MemorySegment address, FunctionDescriptor descriptor, MethodHandle handle) {
    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    /**
     * The binding of a libgelu function; resolving it needs the library loaded.
     *
     * @throws IllegalStateException if GeluNative has no binding of that name
     */
    static Binding of(String function) {
        return new Binding(
                (MemorySegment) accessor(function, "$address", MemorySegment.class),
                (FunctionDescriptor) accessor(function, "$descriptor", FunctionDescriptor.class),
                (MethodHandle) accessor(function, "$handle", MethodHandle.class));
    }

    /** A downcall handle with linker options that jextract does not generate, such as critical. */
    MethodHandle with(Linker.Option... options) {
        return Linker.nativeLinker().downcallHandle(address, descriptor, options);
    }

    private static Object accessor(String function, String suffix, Class<?> type) {
        MethodHandle m;
        try {
            m = LOOKUP.findStatic(GeluNative.class, function + suffix, MethodType.methodType(type));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("the jextract bindings lack " + function + " (run scripts/jextract.sh)", e);
        }
        try {
            return m.invoke();
        } catch (RuntimeException | Error e) {
            throw e; // e.g. ExceptionInInitializerError: the library lacks the symbol
        } catch (Throwable t) {
            throw new IllegalStateException(function + suffix + " failed", t);
        }
    }
}
