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
 * the file), with PyTorch's outputs and parameter counts ({@code sum(p.numel() for p in m.parameters())}); a block with the
 * causal mask (the decoder's, converted at its length 12) becomes a causal one ({@code use_causal_mask}), a block with another
 * mask (torch_encoder's key padding) keeps its node-by-node layers. (Fine-tuning and saving the converted encoder, and
 * its parameter count, are {@link ToModelTest}'s.)
 */
class AttentionMappingTest {
    @ParameterizedTest
    @CsvSource({"encoder, 2, 4, 17187, false", "encoder_seq, 1, 2, 2224, false", "torch_encoder_nomask, 2, 3, 9744, false",
            "attention_seq_first, 1, 4, 1120, false", "torch_encoder, 2, 4, 17088, false", "decoder, 2, 4, 20914, true",
            "gpt_tied_fixed, 2, 4, 18688, true", "torch_causal_fixed, 2, 4, 17702, true"})
    void attentionBlocksBecomeMultiHeadAttention(String name, int blocks, int heads, long pytorchParameters, boolean causal) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        Model model = ToModelTest.convert(c);
        TensorAssert.assertClose(c.outputs().values().iterator().next(), ToModelTest.predict(model, c), 1e-4, 1e-5);
        List<MultiHeadAttention> mha = model.layers().stream().filter(l -> l instanceof MultiHeadAttention).map(l -> (MultiHeadAttention) l)
                .toList();
        String summary = model.summaryText();
        assertEquals(blocks, mha.size(), summary);
        for (MultiHeadAttention m : mha) {
            assertEquals(heads, m.getConfig().get("num_heads"), summary);
            assertEquals(causal, Boolean.TRUE.equals(m.getConfig().get("use_causal_mask")), summary);
        }
        assertEquals(pytorchParameters, model.trainableWeights().stream().mapToLong(v -> v.shape().size()).sum(), summary);
        if (blocks > 0) { // no layer of the blocks' nodes is left in the model (their Softmax would be an Activation named after the attention)
            for (Layer l : model.layers()) assertTrue(!l.name().endsWith("attn_softmax"), l.name() + " left in\n" + summary);
        }
    }

    /** The decoder's mask is built from the length (Trilu of a ConstantOfShape(-inf)): with the length free it still maps, and serves every length. */
    @org.junit.jupiter.api.Test
    void aCausalMaskBuiltFromAFreeLengthMapsOntoCausalAttention() throws IOException {
        Model model = OnnxModel.load(OnnxFixtures.load("models", "decoder").model()).toModel();
        List<MultiHeadAttention> mha = model.layers().stream().filter(l -> l instanceof MultiHeadAttention).map(l -> (MultiHeadAttention) l)
                .toList();
        assertEquals(2, mha.size(), model.summaryText());
        for (MultiHeadAttention m : mha) assertEquals(true, m.getConfig().get("use_causal_mask"), model.summaryText());
        for (String data : List.of("decoder", "decoder.len5", "decoder.len16")) {
            OnnxFixtures.Case c = OnnxFixtures.load("models", "decoder", data);
            TensorAssert.assertClose(c.outputs().values().iterator().next(), ToModelTest.predict(model, c), 1e-4, 1e-5);
        }
    }
}
