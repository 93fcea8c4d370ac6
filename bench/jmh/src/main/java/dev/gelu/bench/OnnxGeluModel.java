package dev.gelu.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The serialized ONNX model of one standard Gelu node (opset 20): {@code y = Gelu(x)} on a
 * float tensor of any length, with {@code approximate} "none" (the erf form) or "tanh". Written
 * as protobuf bytes by hand, field by field from onnx.proto, so that the benchmark needs no
 * ONNX tooling: only the varint, length-delimited and string encodings are used.
 */
final class OnnxGeluModel {
    private OnnxGeluModel() {}

    static byte[] bytes(boolean tanh) {
        Proto attribute = new Proto().string(1, "approximate").bytes(4, tanh ? "tanh" : "none").varint(20, 3);
        Proto node = new Proto().string(1, "x").string(2, "y").string(3, "gelu").string(4, "Gelu")
                .message(5, attribute);
        Proto graph = new Proto().message(1, node).string(2, "gelu")
                .message(11, tensor("x")).message(12, tensor("y"));
        Proto opset = new Proto().string(1, "").varint(2, 20);
        return new Proto().varint(1, 9).string(2, "gelu-ffm bench").message(7, graph).message(8, opset).toBytes();
    }

    /** ValueInfoProto: name, type = tensor(float) of shape ["n"]. */
    private static Proto tensor(String name) {
        Proto shape = new Proto().message(1, new Proto().string(2, "n"));
        Proto tensorType = new Proto().varint(1, 1).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** The three protobuf wire encodings a model needs. */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(int field, long value) {
            raw((long) field << 3);
            raw(value);
            return this;
        }

        Proto bytes(int field, String value) {
            return delimited(field, value.getBytes(StandardCharsets.UTF_8));
        }

        Proto string(int field, String value) {
            return bytes(field, value);
        }

        Proto message(int field, Proto value) {
            return delimited(field, value.toBytes());
        }

        private Proto delimited(int field, byte[] value) {
            raw(((long) field << 3) | 2);
            raw(value.length);
            out.writeBytes(value);
            return this;
        }

        private void raw(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }
}
