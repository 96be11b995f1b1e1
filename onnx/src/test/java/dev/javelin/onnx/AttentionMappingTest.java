package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.layers.Layer;
import dev.javelin.highlevel.layers.MultiHeadAttention;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code toModel()} maps the self-attention blocks {@code torch.onnx.export} writes for
 * {@code nn.MultiheadAttention} onto {@link MultiHeadAttention} layers (heads and head size from
 * the file), with PyTorch's outputs and parameter counts ({@code sum(p.numel() for p in m.parameters())}); blocks with a mask (the decoder's causal one, torch_encoder's
 * key padding) keep their node-by-node layers. (Fine-tuning and saving the converted encoder, and
 * its parameter count, are {@link ToModelTest}'s.)
 */
class AttentionMappingTest {
    @ParameterizedTest
    @CsvSource({"encoder, 2, 4, 17187", "encoder_seq, 1, 2, 2224", "torch_encoder_nomask, 2, 3, 9744", "attention_seq_first, 1, 4, 1120", "torch_encoder, 0, 0, 17088",
            "decoder, 0, 0, 20914"})
    void attentionBlocksBecomeMultiHeadAttention(String name, int blocks, int heads, long pytorchParameters) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        Model model = ToModelTest.convert(c);
        TensorAssert.assertClose(c.outputs().values().iterator().next(), ToModelTest.predict(model, c), 1e-4, 1e-5);
        List<MultiHeadAttention> mha = model.layers().stream().filter(l -> l instanceof MultiHeadAttention).map(l -> (MultiHeadAttention) l)
                .toList();
        String summary = model.summaryText();
        assertEquals(blocks, mha.size(), summary);
        for (MultiHeadAttention m : mha) assertEquals(heads, m.getConfig().get("num_heads"), summary);
        assertEquals(pytorchParameters, model.trainableWeights().stream().mapToLong(v -> v.shape().size()).sum(), summary);
        if (blocks > 0) { // no layer of the blocks' nodes is left in the model (their Softmax would be an Activation)
            for (Layer l : model.layers()) assertTrue(!l.name().contains("softmax"), l.name() + " left in\n" + summary);
        }
    }
}
