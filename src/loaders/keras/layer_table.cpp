// The one table from Keras layer class names to their lowering functions.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "loaders/keras/layers.h"

namespace modelport::keras {

namespace {
const std::map<std::string, LowerFn>& table() {
  static const std::map<std::string, LowerFn> t = {
      // core
      {"Dense", lower_dense},
      {"Activation", lower_activation},
      {"ReLU", lower_relu},
      {"LeakyReLU", lower_leaky_relu},
      {"PReLU", lower_prelu},
      {"ELU", lower_elu},
      {"ThresholdedReLU", lower_thresholded_relu},
      {"Softmax", lower_softmax},
      {"Dropout", lower_identity},
      {"Identity", lower_identity},
      {"SpatialDropout1D", lower_identity},
      {"SpatialDropout2D", lower_identity},
      {"SpatialDropout3D", lower_identity},
      {"GaussianNoise", lower_identity},
      {"GaussianDropout", lower_identity},
      {"AlphaDropout", lower_identity},
      {"ActivityRegularization", lower_identity},
      {"Flatten", lower_flatten},
      {"Reshape", lower_reshape},
      {"Permute", lower_permute},
      {"RepeatVector", lower_repeat_vector},
      {"Concatenate", lower_concatenate},
      {"Add", lower_add},
      {"Subtract", lower_subtract},
      {"Multiply", lower_multiply},
      {"Average", lower_average},
      {"Maximum", lower_maximum},
      {"Minimum", lower_minimum},
      {"Dot", lower_dot},
      {"ZeroPadding1D", lower_zero_padding1d},
      {"ZeroPadding2D", lower_zero_padding2d},
      {"ZeroPadding3D", lower_zero_padding3d},
      {"Cropping1D", lower_cropping1d},
      {"Cropping2D", lower_cropping2d},
      {"Cropping3D", lower_cropping3d},
      {"UpSampling1D", lower_upsampling1d},
      {"UpSampling2D", lower_upsampling2d},
      {"Embedding", lower_embedding},
      {"Masking", lower_masking},
      {"Rescaling", lower_rescaling},
      {"LayerNormalization", lower_layer_normalization},
      {"Normalization", lower_normalization},
      // convolution, pooling, normalization
      {"Conv1D", lower_conv1d},
      {"Conv2D", lower_conv2d},
      {"Conv3D", lower_conv3d},
      {"Convolution1D", lower_conv1d},
      {"Convolution2D", lower_conv2d},
      {"DepthwiseConv1D", lower_depthwise_conv1d},
      {"DepthwiseConv2D", lower_depthwise_conv2d},
      {"SeparableConv1D", lower_separable_conv1d},
      {"SeparableConv2D", lower_separable_conv2d},
      {"Conv1DTranspose", lower_conv1d_transpose},
      {"Conv2DTranspose", lower_conv2d_transpose},
      {"MaxPooling1D", lower_max_pool},
      {"MaxPooling2D", lower_max_pool},
      {"MaxPooling3D", lower_max_pool},
      {"MaxPool1D", lower_max_pool},
      {"MaxPool2D", lower_max_pool},
      {"AveragePooling1D", lower_average_pool},
      {"AveragePooling2D", lower_average_pool},
      {"AveragePooling3D", lower_average_pool},
      {"AvgPool1D", lower_average_pool},
      {"AvgPool2D", lower_average_pool},
      {"GlobalMaxPooling1D", lower_global_max_pool},
      {"GlobalMaxPooling2D", lower_global_max_pool},
      {"GlobalMaxPooling3D", lower_global_max_pool},
      {"GlobalAveragePooling1D", lower_global_average_pool},
      {"GlobalAveragePooling2D", lower_global_average_pool},
      {"GlobalAveragePooling3D", lower_global_average_pool},
      {"GlobalMaxPool1D", lower_global_max_pool},
      {"GlobalMaxPool2D", lower_global_max_pool},
      {"GlobalMaxPool3D", lower_global_max_pool},
      {"GlobalAvgPool1D", lower_global_average_pool},
      {"GlobalAvgPool2D", lower_global_average_pool},
      {"GlobalAvgPool3D", lower_global_average_pool},
      {"BatchNormalization", lower_batch_normalization},
      {"LocallyConnected1D", lower_locally_connected1d},
      {"LocallyConnected2D", lower_locally_connected2d},
      // recurrent and wrappers
      {"SimpleRNN", lower_simple_rnn},
      {"LSTM", lower_lstm},
      {"GRU", lower_gru},
      {"CuDNNLSTM", lower_lstm},  // Keras 2.1-2.3: cuDNN kernels, same weights with both biases
      {"CuDNNGRU", lower_gru},
      {"Bidirectional", lower_bidirectional},
      {"ConvLSTM1D", lower_conv_lstm},
      {"ConvLSTM2D", lower_conv_lstm},
      {"ConvLSTM3D", lower_conv_lstm},
      {"TimeDistributed", lower_time_distributed},
      // a raw TensorFlow op (tf.keras 2.0-2.3)
      {"TensorFlowOpLayer", lower_tensorflow_op_layer},
      // attention
      {"MultiHeadAttention", lower_multi_head_attention},
  };
  return t;
}
// Built-in Keras / tf.keras layer classes that are not lowered yet (anything else without a lowering
// is a Lambda or a custom layer, which cannot be converted from its config at all).
const std::set<std::string>& builtin_unsupported() {
  static const std::set<std::string> s = {
      "AdditiveAttention", "Attention", "CategoryEncoding", "CenterCrop", "Conv3DTranspose", "Convolution3DTranspose",
      "DepthwiseConv3D", "Discretization", "EinsumDense",
      "GroupNormalization", "GroupQueryAttention", "HashedCrossing", "Hashing", "Highway", "IntegerLookup",
      "MaxoutDense", "RNN", "RandomBrightness",
      "RandomContrast", "RandomCrop", "RandomFlip", "RandomHeight", "RandomRotation", "RandomTranslation",
      "RandomWidth", "RandomZoom", "Resizing", "SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells",
      "SpectralNormalization", "StringLookup", "TextVectorization", "TimeDistributedDense", "UnitNormalization",
      "UpSampling3D", "AutoContrast", "Solarization", "Equalization", "MelSpectrogram",
      "STFTSpectrogram", "Pipeline", "TorchModuleWrapper", "JaxLayer", "FlaxLayer", "Wrapper"};
  return s;
}

}  // namespace

bool is_builtin_keras_layer(const std::string& class_name) {
  return find_lowering(class_name) != nullptr || builtin_unsupported().count(class_name) != 0;
}

LowerFn find_lowering(const std::string& class_name) {
  auto it = table().find(class_name);
  return it == table().end() ? nullptr : it->second;
}

}  // namespace modelport::keras

namespace modelport {
std::vector<std::string> keras_supported_layers() {
  std::vector<std::string> names;
  for (auto& [name, fn] : keras::table()) names.push_back(name);  // std::map: already sorted
  return names;
}
}  // namespace modelport
