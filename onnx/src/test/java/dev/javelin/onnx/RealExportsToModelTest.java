package dev.javelin.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.javelin.highlevel.CompileOptions;
import dev.javelin.highlevel.FitOptions;
import dev.javelin.highlevel.Model;
import dev.javelin.highlevel.layers.MultiHeadAttention;
import dev.javelin.highlevel.losses.Losses;
import dev.javelin.highlevel.optimizers.SGD;
import dev.javelin.tensor.Tensor;
import dev.javelin.testing.TensorAssert;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real models as users export them from PyTorch, with the batch fixed ({@code torch.onnx.export} without
 * {@code dynamic_axes}; {@code make_tomodel_fixtures.py}): {@code OnnxModel.load} and {@code toModel()}
 * give PyTorch's outputs, the converted model has PyTorch's parameter count, and a few SGD steps of
 * {@code fit} (eager and compiled) give PyTorch's losses and the outputs PyTorch's fine-tuned model gives.
 */
class RealExportsToModelTest {
    /** name, PyTorch's {@code sum(p.numel() for p in model.parameters())} (tied weights counted once). */
    @ParameterizedTest
    @CsvSource({"gpt_tied_fixed, 18688", "gpt_tied_b1, 4928", "torch_causal_fixed, 17702", "gru_cls_fixed, 3604", "conv1d_fixed, 379", "gemm_alpha, 24"})
    void loadsConvertsAndGivesPyTorchsOutputs(String name, long parameters) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        Tensor expected = c.outputs().values().iterator().next();
        OnnxModel onnx = OnnxModel.load(c.model());
        TensorAssert.assertClose(expected, onnx.call(c.inputArray())[0], 1e-4, 1e-5);
        Model model = onnx.toModel();
        TensorAssert.assertClose(expected, model.predict(c.inputArray()[0]), 1e-4, 1e-5);
        long trainable = model.trainableWeights().stream().mapToLong(v -> v.shape().size()).sum();
        assertEquals(parameters, trainable, model.summaryText());
    }

    /**
     * Three steps of plain SGD (lr 0.05) on the MSE against a fixed target, the whole batch each step, as
     * the fixture script ran them in PyTorch: the same loss before each step, and the same outputs after.
     */
    @ParameterizedTest
    @CsvSource({"gpt_tied_fixed, false", "gpt_tied_fixed, true", "gpt_tied_b1, false", "gpt_tied_b1, true", "torch_causal_fixed, false", "torch_causal_fixed, true", "gru_cls_fixed, false", "gru_cls_fixed, true",
            "conv1d_fixed, false", "conv1d_fixed, true", "gemm_alpha, false", "gemm_alpha, true"})
    void fineTuningFollowsPyTorchsSteps(String name, boolean compiled) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", name);
        OnnxFixtures.Case tune = OnnxFixtures.load("models", name, name + ".finetune");
        Model model = OnnxModel.load(c.model()).toModel();
        Tensor x = tune.inputs().get("x"), y = tune.inputs().get("y");
        model.compile(new CompileOptions(new SGD(0.05), Losses.get("mse"), List.of(), compiled));
        List<Double> losses = model.fit(x, y, FitOptions.builder().batchSize(x.dim(0)).epochs(3).shuffle(false).verbose(0).build())
                .history().get("loss");
        float[] expected = tune.outputs().get("losses").toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], losses.get(i), 1e-4 * Math.abs(expected[i]), name + " loss before step " + i + ": " + losses);
        }
        TensorAssert.assertClose(tune.outputs().get("after"), model.predict(x), 1e-3, 1e-4);
    }

    /**
     * Files exported with one example (the commonest fixed batch), where a Reshape's constant target holds the batch's 1
     * on more than one possible axis: the converted model gives PyTorch's outputs at batch 3 too. Before, the tagger's
     * model put the batch onto the time axis ([1, 18, 3] for [3, 6, 3], silently) and the GPT was refused.
     */
    @ParameterizedTest
    @CsvSource({"gpt_tied_b1", "bilstm_b1"})
    void aFileExportedWithOneExamplePredictsAnyBatch(String name) throws IOException {
        OnnxFixtures.Case one = OnnxFixtures.load("models", name);
        OnnxFixtures.Case three = OnnxFixtures.load("models", name, name + ".batch3");
        Model model = OnnxModel.load(one.model()).toModel();
        TensorAssert.assertClose(one.outputs().values().iterator().next(), model.predict(one.inputArray()[0]), 1e-4, 1e-5);
        TensorAssert.assertClose(three.outputs().values().iterator().next(), model.predict(three.inputArray()[0]), 1e-4, 1e-5);
    }

    /**
     * nn.TransformerEncoder with a {@code src_key_padding_mask} input, exported at a fixed batch: the mask's zeros are
     * a constant [B*H, 1, T] of one value, which toModel refused ("a constant made for that batch keeps it"); it now
     * broadcasts as that value, and the model gives PyTorch's outputs at the file's batch and at batch 3.
     */
    @Test
    void aFixedBatchEncoderWithAKeyPaddingMaskConverts() throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", "padded_encoder_fixed");
        Model model = OnnxModel.load(c.model()).toModel();
        assertEquals(2, model.layers().stream().filter(l -> l instanceof MultiHeadAttention).count(), model.summaryText());
        for (OnnxFixtures.Case d : List.of(c, OnnxFixtures.load("models", "padded_encoder_fixed", "padded_encoder_fixed.batch3"))) {
            List<Tensor> in = List.of(d.inputs().get("x"), d.inputs().get("pad"));
            TensorAssert.assertClose(d.outputs().get("y"), model.predictOutputs(in, 8).get(0), 1e-4, 1e-5);
        }
    }

    /** The tie survives saving: the loaded GPT has one embedding weight (PyTorch's count) and predicts the same bits. */
    @Test
    void aTiedGptSavesAndLoadsTied(@TempDir Path dir) throws IOException {
        OnnxFixtures.Case c = OnnxFixtures.load("models", "gpt_tied_fixed");
        Model model = OnnxModel.load(c.model()).toModel();
        Path file = dir.resolve("gpt.safetensors");
        model.save(file);
        OnnxModel.registerLayers();
        Model loaded = Model.load(file);
        assertEquals(18688, loaded.trainableWeights().stream().mapToLong(v -> v.shape().size()).sum(), loaded.summaryText());
        assertArrayEquals(model.predict(c.inputArray()[0]).toFloatArray(), loaded.predict(c.inputArray()[0]).toFloatArray());
    }

    /**
     * torchvision's mobilenet_v3_small exported at a fixed batch of 2 (10 MB: opt-in, as {@link LargeModelsTest}; write it with
     * {@code make_tomodel_fixtures.py --large DIR} and run with {@code -Djavelin.onnx.models=DIR}). The export folds each
     * BatchNorm into its convolution, so PyTorch's SGD steps (on the unfolded model) are not the converted model's: the loss
     * before the first step is PyTorch's, and the next ones fall.
     */
    @Test
    void mobilenetV3SmallWithAFixedBatchConvertsAndFineTunes() throws IOException {
        String dir = System.getProperty("javelin.onnx.models");
        Assumptions.assumeTrue(dir != null, "set -Djavelin.onnx.models=DIR (make_tomodel_fixtures.py --large DIR)");
        String name = "mobilenet_v3_small_fixed";
        OnnxFixtures.Case c = OnnxFixtures.load(Path.of(dir, "models"), name);
        Tensor expected = c.outputs().values().iterator().next();
        OnnxModel onnx = OnnxModel.load(c.model());
        TensorAssert.assertClose(expected, onnx.call(c.inputArray())[0], 1e-4, 1e-4);
        Model model = onnx.toModel();
        TensorAssert.assertClose(expected, model.predict(c.inputArray()[0]), 1e-4, 1e-4);
        OnnxFixtures.Case tune = OnnxFixtures.load(Path.of(dir, "models"), name, name + ".finetune");
        Tensor x = tune.inputs().get("x"), y = tune.inputs().get("y");
        model.compile(new CompileOptions(new SGD(0.05), Losses.get("mse"), List.of(), true));
        List<Double> losses = model.fit(x, y, FitOptions.builder().batchSize(x.dim(0)).epochs(3).shuffle(false).verbose(0).build())
                .history().get("loss");
        assertEquals(tune.outputs().get("losses").toFloatArray()[0], losses.get(0), 1e-4, "losses " + losses);
        for (int i = 1; i < losses.size(); i++) assertTrue(losses.get(i) < losses.get(i - 1), "losses " + losses);
    }
}
