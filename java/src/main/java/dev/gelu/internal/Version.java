package dev.gelu.internal;

/** The library version; must equal GELU_VERSION_* in native/include/gelu.h (a test checks). */
public final class Version {
    private Version() {}

    public static final String STRING = "0.1.0";
    /** MAJOR * 10000 + MINOR * 100 + PATCH, as gelu_version_number() returns. */
    public static final int NUMBER = 100;
}
