package dev.gelu.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.gelu.Form;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The anchor for the Java side: ONNX Runtime's Java API running a one-node Gelu model (opset
 * 20, CPU, one intra-op thread) on direct buffers over off-heap segments, input and output
 * both pinned, so that nothing is copied or allocated per call but ONNX Runtime's own result
 * wrapper. The same inputs as every other benchmark; compare with GeluBackendBench's
 * {@code vector} and {@code native-avx512} at the same n and form.
 */
@State(Scope.Thread)
public class OnnxGeluBench extends Defaults {
    @Param({"1", "16", "256", "4096", "65536", "1048576", "16777216"})
    public int n;

    /** The two forms ONNX's Gelu operator has (approximate "none" and "tanh"). */
    @Param({"ERF", "TANH"})
    public Form form;

    private Arena arena;
    private OrtSession session;
    private OnnxTensor x;
    private OnnxTensor y;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxTensor> outputs;

    @Setup(Level.Trial)
    public void setUp() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            session = env.createSession(OnnxGeluModel.bytes(form == Form.TANH), options);
        }
        arena = Arena.ofConfined();
        MemorySegment src = Inputs.allocate(arena, n);
        MemorySegment dst = Inputs.allocate(arena, n);
        Inputs.fill(src, n);
        long[] shape = {n};
        x = OnnxTensor.createTensor(env, src.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer(), shape);
        y = OnnxTensor.createTensor(env, dst.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer(), shape);
        inputs = Map.of("x", x);
        outputs = Map.of("y", y);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws OrtException {
        x.close();
        y.close();
        session.close();
        arena.close();
    }

    @Benchmark
    public void apply() throws OrtException {
        // the pinned output stays ours: closing the result does not close it
        session.run(inputs, outputs).close();
    }
}
