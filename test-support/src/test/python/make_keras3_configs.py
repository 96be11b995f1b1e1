"""Writes highlevel/src/test/resources/keras3/*.json: configs exactly as Keras 3 writes them.

Keras is not a dependency here, so each dict below is transcribed from Keras 3.15.1's own source
(github.com/keras-team/keras, tag v3.15.1), key order included:
- the envelope {"module", "class_name", "config", "registered_name", "build_config"?, "compile_config"?}:
  keras/src/saving/serialization_lib.py, serialize_keras_object / serialize_with_public_class /
  get_build_and_compile_config (a public class gets registered_name None; Functional, which has no
  keras_export, gets its Python module and registered_name "Functional");
- a layer's base config {"name", "trainable", "dtype": DTypePolicy}: keras/src/ops/operation.py and
  keras/src/layers/layer.py Layer.get_config; DTypePolicy's first export name is keras.DTypePolicy;
- Dense, base_conv (Conv2D), LSTM (+ rnn.RNN), LayerNormalization (axis becomes [-1] once built),
  Embedding, Dropout, Concatenate, InputLayer: each layer's get_config;
- initializers: GlorotUniform {"seed", "input_axes", "output_axes"}, Orthogonal {"seed", "gain"},
  RandomUniform {"seed", "minval", "maxval"}, Zeros/Ones {};
- Sequential.get_config (+ "build_input_shape"), Functional.get_config (layers carry "name" and
  "inbound_nodes"; a node is {"args", "kwargs"} with "__keras_tensor__" entries;
  "input_layers"/"output_layers" map the inputs' and outputs' structure to [layer, node, tensor]);
- compile_config: keras/src/trainers/trainer.py (SerializableDict of compile's arguments) and the
  optimizer's get_config (base_optimizer.py, adam.py).
model.to_json() is json.dumps of the model's serialize_keras_object with default separators.

Run: python3 make_keras3_configs.py <output dir>
"""
import json
import os
import sys

NULL = None


def policy(name="float32"):
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": name}, "registered_name": NULL}


def init(cls, config):
    return {"module": "keras.initializers", "class_name": cls, "config": config, "registered_name": NULL}


def glorot():
    return init("GlorotUniform", {"seed": NULL, "input_axes": NULL, "output_axes": NULL})


def zeros():
    return init("Zeros", {})


def ones():
    return init("Ones", {})


def base(name):
    return {"name": name, "trainable": True, "dtype": policy()}


def layer(cls, config, input_shape=NULL):
    out = {"module": "keras.layers", "class_name": cls, "config": config, "registered_name": NULL}
    if input_shape is not NULL:
        out["build_config"] = {"input_shape": input_shape}
    return out


def input_layer(name, batch_shape, dtype="float32"):
    return layer("InputLayer", {"batch_shape": batch_shape, "dtype": dtype, "sparse": False, "ragged": False,
                                "name": name, "optional": False})


def dense(name, units, activation, input_shape):
    c = base(name)
    c.update({"units": units, "activation": activation, "use_bias": True, "kernel_initializer": glorot(),
              "bias_initializer": zeros(), "kernel_regularizer": NULL, "bias_regularizer": NULL,
              "kernel_constraint": NULL, "bias_constraint": NULL, "quantization_config": NULL})
    return layer("Dense", c, input_shape)


def conv2d(name, filters, input_shape):
    c = base(name)
    c.update({"filters": filters, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
              "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu",
              "use_bias": True, "kernel_initializer": glorot(), "bias_initializer": zeros(),
              "kernel_regularizer": NULL, "bias_regularizer": NULL, "activity_regularizer": NULL,
              "kernel_constraint": NULL, "bias_constraint": NULL})
    return layer("Conv2D", c, input_shape)


def lstm(name, units, return_sequences, input_shape):
    c = base(name)
    # rnn.RNN.get_config's keys (the cell deleted by LSTM.get_config), then LSTM's own
    c.update({"return_sequences": return_sequences, "return_state": False, "go_backwards": False, "stateful": False,
              "unroll": False, "zero_output_for_mask": False})
    c.update({"units": units, "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
              "kernel_initializer": glorot(), "recurrent_initializer": init("Orthogonal", {"seed": NULL, "gain": 1.0}),
              "bias_initializer": zeros(), "unit_forget_bias": True, "kernel_regularizer": NULL,
              "recurrent_regularizer": NULL, "bias_regularizer": NULL, "activity_regularizer": NULL,
              "kernel_constraint": NULL, "recurrent_constraint": NULL, "bias_constraint": NULL, "dropout": 0.0,
              "recurrent_dropout": 0.0, "seed": NULL})
    return layer("LSTM", c, input_shape)


def layer_norm(name, input_shape):
    c = base(name)
    c.update({"axis": [-1], "epsilon": 0.001, "center": True, "scale": True, "rms_scaling": False,
              "beta_initializer": zeros(), "gamma_initializer": ones(), "beta_regularizer": NULL,
              "gamma_regularizer": NULL, "beta_constraint": NULL, "gamma_constraint": NULL})
    return layer("LayerNormalization", c, input_shape)


def embedding(name, input_dim, output_dim, mask_zero, input_shape):
    c = base(name)
    c.update({"input_dim": input_dim, "output_dim": output_dim,
              "embeddings_initializer": init("RandomUniform", {"seed": NULL, "minval": -0.05, "maxval": 0.05}),
              "embeddings_regularizer": NULL, "activity_regularizer": NULL, "embeddings_constraint": NULL,
              "mask_zero": mask_zero, "quantization_config": NULL})
    return layer("Embedding", c, input_shape)


def dropout(name, rate, input_shape):
    c = base(name)
    c.update({"rate": rate, "seed": NULL, "noise_shape": NULL})
    return layer("Dropout", c, input_shape)


def concatenate(name, input_shape):
    c = base(name)
    c.update({"axis": -1})
    return layer("Concatenate", c, input_shape)


def bidirectional(name, units, input_shape):
    """Bidirectional(LSTM(units, return_sequences=True)): its config holds both layers, serialized;
    the backward one a copy named backward_... with go_backwards true (bidirectional.py __init__)."""
    forward = lstm("forward_lstm", units, True, input_shape)
    backward = lstm("backward_lstm", units, True, input_shape)
    backward["config"]["go_backwards"] = True
    c = base(name)
    c.update({"merge_mode": "concat", "layer": forward, "backward_layer": backward})
    return layer("Bidirectional", c, input_shape)


def max_pooling2d(name, input_shape):
    c = base(name)
    c.update({"pool_size": [2, 2], "padding": "valid", "strides": [2, 2], "data_format": "channels_last"})
    return layer("MaxPooling2D", c, input_shape)


def flatten(name, input_shape):
    c = base(name)
    c.update({"data_format": "channels_last"})
    return layer("Flatten", c, input_shape)


def batch_norm(name, input_shape):
    c = base(name)
    c.update({"axis": -1, "momentum": 0.99, "epsilon": 0.001, "center": True, "scale": True,
              "beta_initializer": zeros(), "gamma_initializer": ones(), "moving_mean_initializer": zeros(),
              "moving_variance_initializer": ones(), "beta_regularizer": NULL, "gamma_regularizer": NULL,
              "beta_constraint": NULL, "gamma_constraint": NULL, "synchronized": False, "renorm": False,
              "renorm_clipping": NULL, "renorm_momentum": 0.99})
    return layer("BatchNormalization", c, input_shape)


def global_average_pooling2d(name, input_shape):
    c = base(name)
    c.update({"data_format": "channels_last", "keepdims": False})
    return layer("GlobalAveragePooling2D", c, input_shape)


def activation(name, fn, input_shape):
    c = base(name)
    c.update({"activation": fn})
    return layer("Activation", c, input_shape)


def convnet():
    """Keras's "simple MNIST convnet" (the README's) with a BatchNormalization and an Activation added:
    Input((28, 28, 1)), Conv2D(32, 3, relu), MaxPooling2D(2), Conv2D(64, 3, relu), BatchNormalization(),
    Activation("relu"), MaxPooling2D(2), Flatten(), Dropout(0.5), Dense(10, softmax)."""
    return sequential("sequential_2", [
        input_layer("input_layer_2", [NULL, 28, 28, 1]), conv2d("conv2d", 32, [NULL, 28, 28, 1]),
        max_pooling2d("max_pooling2d", [NULL, 26, 26, 32]), conv2d("conv2d_1", 64, [NULL, 13, 13, 32]),
        batch_norm("batch_normalization", [NULL, 11, 11, 64]), activation("activation", "relu", [NULL, 11, 11, 64]),
        max_pooling2d("max_pooling2d_1", [NULL, 11, 11, 64]), flatten("flatten", [NULL, 5, 5, 64]),
        dropout("dropout", 0.5, [NULL, 1600]), dense("dense", 10, "softmax", [NULL, 1600])], [NULL, 28, 28, 1], False)


def multi_head_attention(name):
    """MultiHeadAttention(2, 4) once built on [batch, T, dim]: attention_axes is filled in as (1,)."""
    c = base(name)
    c.update({"num_heads": 2, "key_dim": 4, "value_dim": 4, "dropout": 0.0, "use_bias": True, "use_gate": False,
              "output_shape": NULL, "attention_axes": [1], "sliding_window": NULL, "kernel_initializer": glorot(),
              "bias_initializer": zeros(), "kernel_regularizer": NULL, "bias_regularizer": NULL,
              "activity_regularizer": NULL, "kernel_constraint": NULL, "bias_constraint": NULL, "seed": NULL})
    out = layer("MultiHeadAttention", c)
    out["build_config"] = {"shapes_dict": {"query_shape": [NULL, 6, 8], "value_shape": [NULL, 6, 8], "key_shape": NULL}}
    return out


def compile_config():
    adam = {"module": "keras.optimizers", "class_name": "Adam", "config": {
        "name": "adam", "learning_rate": 0.0010000000474974513, "weight_decay": NULL, "clipnorm": NULL,
        "global_clipnorm": NULL, "clipvalue": NULL, "use_ema": False, "ema_momentum": 0.99,
        "ema_overwrite_frequency": NULL, "loss_scale_factor": NULL, "gradient_accumulation_steps": NULL,
        "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}, "registered_name": NULL}
    return {"optimizer": adam, "loss": "binary_crossentropy", "loss_weights": NULL, "metrics": ["accuracy"],
            "weighted_metrics": NULL, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}


def sequential(name, layers, batch_shape, compiled):
    config = base(name)
    config.update({"layers": layers, "build_input_shape": batch_shape})
    out = {"module": "keras", "class_name": "Sequential", "config": config, "registered_name": NULL,
           "build_config": {"input_shape": batch_shape}}
    if compiled:
        out["compile_config"] = compile_config()
    return out


def tensor(shape, history, dtype="float32"):
    return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": dtype, "keras_history": history}}


def node(*args):
    return {"args": list(args), "kwargs": {}}


def in_graph(entry, *nodes):
    """A layer entry inside Functional.get_config: its serialization plus "name" and "inbound_nodes"."""
    entry = dict(entry)
    entry["name"] = entry["config"]["name"]
    entry["inbound_nodes"] = list(nodes)
    return entry


def functional():
    """inputs = keras.Input((8,)); a = Dense(16, relu)(inputs); a = LayerNormalization()(a);
    a = Dropout(0.25)(a); b = Dense(4)(inputs); c = Concatenate()([a, b]);
    outputs = Dense(1, sigmoid)(c); keras.Model(inputs, outputs)."""
    layers = [
        in_graph(input_layer("input_layer", [NULL, 8])),
        in_graph(dense("dense", 16, "relu", [NULL, 8]), node(tensor([NULL, 8], ["input_layer", 0, 0]))),
        in_graph(layer_norm("layer_normalization", [NULL, 16]), node(tensor([NULL, 16], ["dense", 0, 0]))),
        in_graph(dropout("dropout", 0.25, [NULL, 16]), node(tensor([NULL, 16], ["layer_normalization", 0, 0]))),
        in_graph(dense("dense_1", 4, "linear", [NULL, 8]), node(tensor([NULL, 8], ["input_layer", 0, 0]))),
        in_graph(concatenate("concatenate", [[NULL, 16], [NULL, 4]]),
                 node([tensor([NULL, 16], ["dropout", 0, 0]), tensor([NULL, 4], ["dense_1", 0, 0])])),
        in_graph(dense("dense_2", 1, "sigmoid", [NULL, 20]), node(tensor([NULL, 20], ["concatenate", 0, 0]))),
    ]
    config = {"name": "functional", "trainable": True, "layers": layers,
              "input_layers": ["input_layer", 0, 0], "output_layers": ["dense_2", 0, 0]}
    return {"module": "keras.src.models.functional", "class_name": "Functional", "config": config,
            "registered_name": "Functional", "compile_config": compile_config()}


def functional_shared():
    """a = keras.Input((8,)); b = keras.Input((8,)); shared = Dense(3, tanh);
    out = Concatenate()([shared(a), shared(b)]); keras.Model([a, b], out): the shared layer has two
    inbound nodes, read as ["dense", 0, 0] and ["dense", 1, 0]; the inputs are a list."""
    layers = [
        in_graph(input_layer("input_a", [NULL, 8])),
        in_graph(input_layer("input_b", [NULL, 8])),
        in_graph(dense("dense", 3, "tanh", [NULL, 8]), node(tensor([NULL, 8], ["input_a", 0, 0])),
                 node(tensor([NULL, 8], ["input_b", 0, 0]))),
        in_graph(concatenate("concatenate", [[NULL, 3], [NULL, 3]]),
                 node([tensor([NULL, 3], ["dense", 0, 0]), tensor([NULL, 3], ["dense", 1, 0])])),
    ]
    config = {"name": "functional_1", "trainable": True, "layers": layers,
              "input_layers": [["input_a", 0, 0], ["input_b", 0, 0]], "output_layers": ["concatenate", 0, 0]}
    return {"module": "keras.src.models.functional", "class_name": "Functional", "config": config,
            "registered_name": "Functional"}


def main(out):
    os.makedirs(out, exist_ok=True)
    files = {
        "dense.json": dense("dense", 12, "relu", [NULL, 8]),
        "conv2d.json": conv2d("conv2d", 6, [NULL, 9, 9, 3]),
        "lstm.json": lstm("lstm", 5, True, [NULL, 7, 3]),
        "layer_normalization.json": layer_norm("layer_normalization", [NULL, 10]),
        "embedding.json": embedding("embedding", 50, 6, False, [NULL, 10]),
        "dropout.json": dropout("dropout", 0.25, [NULL, 16]),
        "bidirectional.json": bidirectional("bidirectional", 4, [NULL, 6, 3]),
        "multi_head_attention.json": multi_head_attention("multi_head_attention"),
        # model.to_json() of Sequential([Input((8,)), Dense(12, relu), Dense(8, relu), Dense(1, sigmoid)])
        # after compile(adam, binary_crossentropy, ["accuracy"])
        "sequential.json": sequential("sequential", [
            input_layer("input_layer", [NULL, 8]), dense("dense", 12, "relu", [NULL, 8]),
            dense("dense_1", 8, "relu", [NULL, 12]), dense("dense_2", 1, "sigmoid", [NULL, 8])], [NULL, 8], True),
        # Sequential([Input((None,), dtype="int32"), Embedding(50, 6, mask_zero=True), LSTM(5), Dense(1)])
        "sequential_lstm.json": sequential("sequential_1", [
            input_layer("input_layer_1", [NULL, NULL], "int32"), embedding("embedding", 50, 6, True, [NULL, NULL]),
            lstm("lstm", 5, False, [NULL, NULL, 6]), dense("dense_3", 1, "linear", [NULL, 5])], [NULL, NULL], False),
        "functional.json": functional(),
        "sequential_convnet.json": convnet(),
        "global_average_pooling2d.json": global_average_pooling2d("global_average_pooling2d", [NULL, 5, 5, 64]),
        "functional_shared.json": functional_shared(),
    }
    for name, value in files.items():
        with open(os.path.join(out, name), "w") as f:
            f.write(json.dumps(value))
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
