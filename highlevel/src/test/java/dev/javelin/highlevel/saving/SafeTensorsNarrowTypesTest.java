package dev.javelin.highlevel.saving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.tensor.DType;
import dev.javelin.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The narrow element types of Hugging Face safetensors files (F16 and BF16 weights above all) are read
 * widened, as PyTorch converts them; they were refused ("unsupported dtype F16"). The fixture
 * ({@code make_safetensors_narrow.py}) holds each tensor with PyTorch's wide value beside it.
 */
class SafeTensorsNarrowTypesTest {
    @Test
    void narrowTypesReadAsPyTorchWidensThem() throws Exception {
        Path file = Path.of(getClass().getResource("/safetensors/narrow.safetensors").toURI());
        Map<String, Tensor> t = SafeTensors.read(file, SafeTensors.Limits.DEFAULT).tensors();
        for (String name : new String[] {"f16", "bf16"}) {
            assertEquals(DType.FLOAT32, t.get(name).dtype(), name);
            assertArrayEquals(t.get(name + ".expected").toFloatArray(), t.get(name).toFloatArray(), name); // -0.0, subnormals and 65504 exact
        }
        for (String name : new String[] {"i8", "u8", "i16", "u16", "u32"}) {
            assertEquals(name.equals("u32") ? DType.INT64 : DType.INT32, t.get(name).dtype(), name);
            assertArrayEquals(t.get(name + ".expected").toLongArray(), t.get(name).cast(DType.INT64).toLongArray(), name);
        }
    }

    @Test
    void aNarrowTensorWhoseBytesDoNotFitItsShapeIsRefusedByName() {
        String header = "{\"w\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,4]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(json.length).put(json);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(b.array(), "narrow", SafeTensors.Limits.DEFAULT));
        assertTrue(e.getMessage().contains("tensor 'w': BF16 shape [3] needs 6 bytes"), e.getMessage());
    }
}
