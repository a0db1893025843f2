"""Cases tests/fixtures/make_keras_h5.py already writes (KerasNumeric tests check them too). `inspect`
counts top-level layer classes: a wrapper's inner layer (Bidirectional(LSTM)) is claimed elsewhere."""
import make_keras_attention as mka
import make_keras_conv_lstm as mkcl
import make_keras_locally_connected as mklc
import make_keras_tf_op_layer as mktf
from keras_case import existing, mk

existing("conv2d", mk.case_conv2d, "conv2d.h5", ["Conv2D"])
existing("conv2d_strided_same", mk.case_conv2d_strided_same, "conv2d_strided_same.h5", ["Conv2D"])
existing("depthwise_conv2d", mk.case_depthwise, "depthwise_conv2d.h5", ["DepthwiseConv2D"])
existing("batch_normalization", mk.case_batchnorm, "batch_normalization.h5", ["BatchNormalization"])
existing("dense", mk.case_dense, "dense.h5", ["Dense"])
existing("lstm", mk.case_lstm, "lstm_seq1_back1.h5", ["LSTM"])
existing("bidirectional_lstm", mk.case_bidirectional_lstm, "bidirectional_lstm.h5", ["Bidirectional"])
existing("gru", mk.case_gru, "gru.h5", ["GRU"])
existing("embedding", mk.case_embedding, "embedding.h5", ["Embedding"])
existing("keras3_functional", mk.case_keras3_functional, "keras3_functional.keras", ["Add", "Dense"])
existing("cnn_flatten", mk.case_cnn_flatten, "cnn_flatten.h5", ["Conv2D", "MaxPooling2D", "Flatten", "Dense"])
existing("cnn_misc", mk.case_cnn_misc, "cnn_misc.h5", [
    "ZeroPadding2D", "Cropping2D", "SeparableConv2D", "UpSampling2D", "Conv2DTranspose", "GlobalAveragePooling2D"])
existing("keras2_functional", mk.case_keras2_functional, "keras2_functional.h5", [
    "Conv1D", "GlobalMaxPooling1D", "GlobalAveragePooling1D", "Concatenate", "Subtract"])
existing("masking_lstm", mk.case_masking_lstm, "masking_lstm.h5", ["Masking", "LSTM"])
existing("simple_rnn", mk.case_simple_rnn, "simple_rnn.h5", ["SimpleRNN"])
existing("keras3_misc", mk.case_keras3_misc, "keras3_misc.keras", [
    "TimeDistributed", "LayerNormalization", "Permute", "Reshape", "RepeatVector", "Rescaling", "ReLU"],
    min_opset=12, why="ReLU's threshold becomes GreaterOrEqual, which has no opset-11 form yet (issue 11)")
existing("gru_reset_before", mk.case_gru_reset_before, "gru_reset_before.h5", ["GRU"])
existing("normalization", mk.case_normalization, "normalization.h5", ["Normalization"])
existing("rnn_extras", mk.case_rnn_extras, "rnn_extras.h5", ["LSTM", "Bidirectional"])
existing("pool_same", mk.case_pool_same, "pool_same.h5", ["AveragePooling2D", "UpSampling2D", "MaxPooling2D"])
existing("dot", mk.case_dot, "dot.h5", ["Dot"], min_opset=12, why="Dot is written as Einsum, an opset-12 op")
existing("mha_keras2", mka.case_mha_keras2, "mha_keras2.h5", ["MultiHeadAttention"])
existing("mha_keras3", mka.case_mha_keras3, "mha_keras3.keras", ["MultiHeadAttention"])
existing("locally_connected1d", mklc.case_locally_connected, "lc1d_impl2_same.h5", ["LocallyConnected1D"])
existing("locally_connected2d", mklc.case_locally_connected, "lc2d_impl3_same.h5", ["LocallyConnected2D"])
existing("conv_lstm2d", mkcl.case_conv_lstm, "convlstm2d_seq.h5", ["ConvLSTM2D"])
existing("conv_lstm1d", mkcl.case_conv_lstm, "convlstm1d_keras3.keras", ["ConvLSTM1D"])
existing("conv_lstm3d", mkcl.case_conv_lstm, "convlstm3d.h5", ["ConvLSTM3D"])
existing("tf_op_layer", mktf.case_tf_op_layer, "tf_op_layer.h5", ["TensorFlowOpLayer"])
