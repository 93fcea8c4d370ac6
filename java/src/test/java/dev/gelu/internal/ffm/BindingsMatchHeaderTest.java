package dev.gelu.internal.ffm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gelu.internal.nativelib.NativeLibrary;
import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The committed jextract bindings ({@link GeluNative}, from scripts/jextract.sh) against
 * native/include/gelu.h, without jextract: every {@code GELU_API} function has a binding whose
 * descriptor is its prototype's, every {@code #define GELU_*} constant has an accessor with its
 * value, and the bindings hold nothing else. When it fails, re-run scripts/jextract.sh.
 */
class BindingsMatchHeaderTest {
    private static final Path HEADER = Path.of("native/include/gelu.h");
    /** the library the jar bundles for this machine (natives/linux-x86_64 or natives/linux-aarch64) */
    private static final String BUNDLED = "/natives/" + NativeLibrary.platform() + "/libgelu.so";
    /**
     * GELU_API prototypes (after comments are removed), across lines: return type and name,
     * parameters. No '#', so that the definitions of GELU_API itself never start a match.
     */
    private static final Pattern PROTOTYPE = Pattern.compile("GELU_API\\s+([^;{}()#]+?)\\s*\\(([^()#]*)\\)\\s*;");
    /** object-like macros with a value; GELU_API is the visibility attribute, not a constant */
    private static final Pattern DEFINE =
            Pattern.compile("(?m)^[ \\t]*#[ \\t]*define[ \\t]+(GELU_\\w+)[ \\t]+(\\S.*?)\\s*$");

    /**
     * The layout of a return type or parameter ("const float *x", "size_t n", "int"), as the FFM
     * linker passes it on this platform (LP64).
     */
    private static MemoryLayout layout(String declaration, String where) {
        if (declaration.contains("*")) {
            return ValueLayout.ADDRESS;
        }
        List<String> words = new ArrayList<>(List.of(declaration.trim().split("\\s+")));
        words.remove("const");
        String t = words.getFirst(); // a parameter's name, if any, follows its type
        return switch (t) {
            case "int", "int32_t", "uint32_t" -> ValueLayout.JAVA_INT;
            case "size_t", "long", "int64_t", "uint64_t", "ptrdiff_t" -> ValueLayout.JAVA_LONG;
            case "uint16_t", "int16_t", "short" -> ValueLayout.JAVA_SHORT;
            case "float" -> ValueLayout.JAVA_FLOAT;
            case "double" -> ValueLayout.JAVA_DOUBLE;
            default ->
                throw new AssertionError(where + ": no layout known for the C type of '" + declaration
                        + "'; add it to BindingsMatchHeaderTest.layout");
        };
    }

    /** gelu.h without its comments, so that commented-out or documented names do not count. */
    private static String header() throws IOException {
        return Files.readString(HEADER).replaceAll("(?s)/\\*.*?\\*/", " ").replaceAll("//[^\n]*", "");
    }

    /** Every GELU_API function of gelu.h with the descriptor its prototype implies, in header order. */
    static Map<String, FunctionDescriptor> headerFunctions() throws IOException {
        Map<String, FunctionDescriptor> functions = new LinkedHashMap<>();
        Matcher m = PROTOTYPE.matcher(header());
        while (m.find()) {
            String head = m.group(1).trim();
            Matcher name = Pattern.compile("(\\w+)$").matcher(head);
            assertTrue(name.find(), "no function name in " + m.group());
            String f = name.group(1);
            String returns = head.substring(0, name.start()).trim();
            List<MemoryLayout> args = new ArrayList<>();
            String params = m.group(2).trim();
            if (!params.equals("void") && !params.isEmpty()) {
                for (String p : params.split(",")) {
                    args.add(layout(p, f));
                }
            }
            MemoryLayout[] a = args.toArray(MemoryLayout[]::new);
            FunctionDescriptor d = returns.equals("void")
                    ? FunctionDescriptor.ofVoid(a)
                    : FunctionDescriptor.of(layout(returns, f), a);
            assertNull(functions.put(f, d), f + " is declared twice");
        }
        assertTrue(functions.size() > 100, "only " + functions.size() + " GELU_API prototypes found in " + HEADER);
        return functions;
    }

    /** Every #define GELU_* constant of gelu.h with its value, in header order. */
    static Map<String, Long> headerConstants() throws IOException {
        Map<String, Long> constants = new LinkedHashMap<>();
        Matcher m = DEFINE.matcher(header());
        while (m.find()) {
            if (!m.group(1).equals("GELU_API")) {
                constants.put(m.group(1), new Expression(m.group(2), constants).value(m.group(1)));
            }
        }
        assertTrue(constants.containsKey("GELU_OK"), "no #define GELU_OK found in " + HEADER);
        return constants;
    }

    /** The names that GeluNative binds: functions (NAME$descriptor) and constants (GELU_*()). */
    private static TreeSet<String> bound(boolean constants) {
        TreeSet<String> names = new TreeSet<>();
        for (Method m : GeluNative.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (!constants && m.getName().endsWith("$descriptor")) {
                names.add(m.getName().substring(0, m.getName().length() - "$descriptor".length()));
            } else if (constants && m.getName().startsWith("GELU_") && m.getParameterCount() == 0) {
                names.add(m.getName());
            }
        }
        return names;
    }

    /** Fails naming what the bindings lack and what they have beyond the header. */
    private static void sameNames(Set<String> header, Set<String> bound, String what) {
        Set<String> missing = new TreeSet<>(header);
        missing.removeAll(bound);
        Set<String> extra = new TreeSet<>(bound);
        extra.removeAll(header);
        assertTrue(
                missing.isEmpty() && extra.isEmpty(),
                "the bindings differ from gelu.h's " + what + " (run scripts/jextract.sh): not bound " + missing
                        + ", bound but not in gelu.h " + extra);
    }

    @Test
    void everyFunctionIsBoundWithItsJavaTypes() throws Exception {
        Map<String, FunctionDescriptor> header = headerFunctions();
        sameNames(header.keySet(), bound(false), "GELU_API functions");
        for (var e : header.entrySet()) {
            String f = e.getKey();
            MethodType expected = e.getValue().toMethodType();
            Method wrapper = GeluNative.class.getMethod(f, expected.parameterArray());
            assertEquals(expected.returnType(), wrapper.getReturnType(), f);
            // the accessors that NativeKernels builds its handles from
            assertEquals(
                    MemorySegment.class,
                    GeluNative.class.getMethod(f + "$address").getReturnType(),
                    f);
            assertEquals(
                    MethodHandle.class,
                    GeluNative.class.getMethod(f + "$handle").getReturnType(),
                    f);
        }
    }

    @Test
    void everyConstantIsBoundWithItsValue() throws Exception {
        Map<String, Long> header = headerConstants();
        sameNames(header.keySet(), bound(true), "#define GELU_* constants");
        for (var e : header.entrySet()) {
            Object value = GeluNative.class.getMethod(e.getKey()).invoke(null);
            assertEquals(e.getValue(), ((Number) value).longValue(), e.getKey());
        }
    }

    @Test
    void descriptorsAreThePrototypes() throws Exception {
        // a descriptor is read through its binding's holder class, which resolves the symbol
        Assumptions.assumeTrue(
                BindingsMatchHeaderTest.class.getResource(BUNDLED) != null
                        || System.getProperty(NativeLibrary.PATH_PROPERTY) != null,
                "no native library built");
        assertNull(NativeLibrary.load());
        for (var e : headerFunctions().entrySet()) {
            FunctionDescriptor bound = (FunctionDescriptor)
                    GeluNative.class.getMethod(e.getKey() + "$descriptor").invoke(null);
            assertEquals(
                    e.getValue(), plain(bound), e.getKey() + ": the binding's descriptor is not gelu.h's prototype");
        }
    }

    /** The descriptor without layout names and pointer target layouts, which the ABI ignores. */
    private static FunctionDescriptor plain(FunctionDescriptor d) {
        MemoryLayout[] args =
                d.argumentLayouts().stream().map(BindingsMatchHeaderTest::plain).toArray(MemoryLayout[]::new);
        return d.returnLayout().map(r -> FunctionDescriptor.of(plain(r), args)).orElse(FunctionDescriptor.ofVoid(args));
    }

    private static MemoryLayout plain(MemoryLayout l) {
        return l instanceof AddressLayout ? ValueLayout.ADDRESS : l.withoutName();
    }

    /** A constant's value: integer literals, earlier GELU_* constants, + - * / and parentheses. */
    private static final class Expression {
        private static final Pattern OPERAND = Pattern.compile("(0[xX][0-9a-fA-F]+|[0-9]+)[uUlL]*|([A-Za-z_]\\w*)");
        private final String text;
        private final Map<String, Long> known;
        private int pos;

        Expression(String text, Map<String, Long> known) {
            this.text = text;
            this.known = known;
        }

        long value(String name) {
            try {
                long v = sum();
                skipBlanks();
                if (pos == text.length()) {
                    return v;
                }
            } catch (RuntimeException e) {
                // reported below with the whole definition
            }
            return fail("#define " + name + " " + text + ": not an integer expression this test can check;"
                    + " extend BindingsMatchHeaderTest.Expression");
        }

        private long sum() {
            long v = product();
            for (char c; (c = peek()) == '+' || c == '-'; ) {
                pos++;
                v = c == '+' ? v + product() : v - product();
            }
            return v;
        }

        private long product() {
            long v = unary();
            for (char c; (c = peek()) == '*' || c == '/'; ) {
                pos++;
                v = c == '*' ? v * unary() : v / unary();
            }
            return v;
        }

        private long unary() {
            char c = peek();
            if (c == '-') {
                pos++;
                return -unary();
            }
            if (c == '(') {
                pos++;
                long v = sum();
                if (peek() != ')') {
                    throw new IllegalArgumentException("')' expected");
                }
                pos++;
                return v;
            }
            Matcher m = OPERAND.matcher(text).region(pos, text.length());
            if (!m.lookingAt()) {
                throw new IllegalArgumentException("operand expected");
            }
            pos = m.end();
            if (m.group(2) != null) {
                Long v = known.get(m.group(2));
                if (v == null) {
                    throw new IllegalArgumentException("unknown name " + m.group(2));
                }
                return v;
            }
            return m.group(1).startsWith("0x") || m.group(1).startsWith("0X")
                    ? Long.parseLong(m.group(1).substring(2), 16)
                    : Long.parseLong(m.group(1));
        }

        private char peek() {
            skipBlanks();
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private void skipBlanks() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }
    }
}
