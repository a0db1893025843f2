// The per-class lowering functions (one per Keras layer class); layer_table.cpp maps names to them.
#pragma once

#include "loaders/keras/lower.h"

namespace modelport::keras {

using Outs = std::vector<Value*>;

// layers_core.cpp
Outs lower_identity(Ctx&, const LayerCall&);
Outs lower_dense(Ctx&, const LayerCall&);
Outs lower_activation(Ctx&, const LayerCall&);
Outs lower_relu(Ctx&, const LayerCall&);
Outs lower_leaky_relu(Ctx&, const LayerCall&);
Outs lower_prelu(Ctx&, const LayerCall&);
Outs lower_elu(Ctx&, const LayerCall&);
Outs lower_thresholded_relu(Ctx&, const LayerCall&);
Outs lower_softmax(Ctx&, const LayerCall&);
Outs lower_flatten(Ctx&, const LayerCall&);
Outs lower_reshape(Ctx&, const LayerCall&);
Outs lower_permute(Ctx&, const LayerCall&);
Outs lower_repeat_vector(Ctx&, const LayerCall&);
Outs lower_concatenate(Ctx&, const LayerCall&);
Outs lower_add(Ctx&, const LayerCall&);
Outs lower_dot(Ctx&, const LayerCall&);
Outs lower_subtract(Ctx&, const LayerCall&);
Outs lower_multiply(Ctx&, const LayerCall&);
Outs lower_average(Ctx&, const LayerCall&);
Outs lower_maximum(Ctx&, const LayerCall&);
Outs lower_minimum(Ctx&, const LayerCall&);
Outs lower_zero_padding1d(Ctx&, const LayerCall&);
Outs lower_zero_padding2d(Ctx&, const LayerCall&);
Outs lower_zero_padding3d(Ctx&, const LayerCall&);
Outs lower_cropping1d(Ctx&, const LayerCall&);
Outs lower_cropping2d(Ctx&, const LayerCall&);
Outs lower_cropping3d(Ctx&, const LayerCall&);
Outs lower_upsampling1d(Ctx&, const LayerCall&);
Outs lower_upsampling2d(Ctx&, const LayerCall&);
Outs lower_embedding(Ctx&, const LayerCall&);
Outs lower_masking(Ctx&, const LayerCall&);
Outs lower_rescaling(Ctx&, const LayerCall&);
Outs lower_layer_normalization(Ctx&, const LayerCall&);
Outs lower_normalization(Ctx&, const LayerCall&);

// layers_conv.cpp
// A Conv of channel-first `x` with an ONNX kernel [out, in/group, k...]: strides, dilation_rate and
// padding from l.cfg (use_config_padding false: stride 1, no padding).
Value* conv(Ctx& c, const LayerCall& l, Value* x, size_t nd, const Tensor& w_onnx, const Tensor* bias, int64_t group,
            bool use_config_padding = true);
std::vector<int64_t> kernel_to_onnx_perm(size_t nd);  // Keras [k..., in, out] -> ONNX [out, in, k...]
Outs lower_conv1d(Ctx&, const LayerCall&);
Outs lower_conv2d(Ctx&, const LayerCall&);
Outs lower_conv3d(Ctx&, const LayerCall&);
Outs lower_depthwise_conv1d(Ctx&, const LayerCall&);
Outs lower_depthwise_conv2d(Ctx&, const LayerCall&);
Outs lower_separable_conv1d(Ctx&, const LayerCall&);
Outs lower_separable_conv2d(Ctx&, const LayerCall&);
Outs lower_conv1d_transpose(Ctx&, const LayerCall&);
Outs lower_conv2d_transpose(Ctx&, const LayerCall&);
Outs lower_max_pool(Ctx&, const LayerCall&);
Outs lower_average_pool(Ctx&, const LayerCall&);
Outs lower_global_max_pool(Ctx&, const LayerCall&);
Outs lower_global_average_pool(Ctx&, const LayerCall&);
Outs lower_batch_normalization(Ctx&, const LayerCall&);

// layers_conv_lstm.cpp
Outs lower_conv_lstm(Ctx&, const LayerCall&);
bool is_conv_lstm(const std::string& class_name);
// Bidirectional(ConvLSTM*) (lower_bidirectional hands it over): `inner_cfg` is the wrapped layer's.
Outs lower_bidirectional_conv_lstm(Ctx&, const LayerCall&, const std::string& cls, const json& inner_cfg);

// layers_locally_connected.cpp
Outs lower_locally_connected1d(Ctx&, const LayerCall&);
Outs lower_locally_connected2d(Ctx&, const LayerCall&);

// layers_rnn.cpp
Outs lower_simple_rnn(Ctx&, const LayerCall&);
Outs lower_lstm(Ctx&, const LayerCall&);
Outs lower_gru(Ctx&, const LayerCall&);
Outs lower_bidirectional(Ctx&, const LayerCall&);
Outs lower_time_distributed(Ctx&, const LayerCall&);

// layers_tf_op.cpp
Outs lower_tensorflow_op_layer(Ctx&, const LayerCall&);

// layers_attention.cpp
Outs lower_multi_head_attention(Ctx&, const LayerCall&);

}  // namespace modelport::keras
