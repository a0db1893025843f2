"""Cases on fixtures that tests/fixtures/make_torch_*.py already write (their own tests check them
too, at several opsets; here they count for the ops listed, which they were the first to exercise)."""
from ts_case import In, existing

IMG = [In("x", ["b", 8, "h", "w"])]       # make_torch_ops.py: x[batch, 8, h, w], h, w even and >= 6
IMG4 = [In("x", ["b", 4, "h", "w"])]      # make_torch_outputs.py, make_torch_models.py (misc_ops)
IDS = [In("ids", ["b", "t"], "int64", 0, 10)]  # make_torch_transformer.py: vocab 16

existing("ops_math", "ops_math_t.pt", inputs=IMG, ops=[
    "aten::abs", "aten::bitwise_not", "aten::clamp_max", "aten::clamp_min", "aten::empty_like", "aten::expm1",
    "aten::floor_divide", "aten::frobenius_norm", "aten::linalg_vector_norm", "aten::log10", "aten::log1p",
    "aten::log2", "aten::logical_and", "aten::logical_not", "aten::logical_or", "aten::logical_xor", "aten::lt",
    "aten::masked_fill", "aten::max", "aten::mean", "aten::new_empty", "aten::prod", "aten::round", "aten::rsqrt",
    "aten::select", "aten::slice", "aten::square", "aten::std", "aten::to", "aten::trunc", "aten::var",
    "aten::zeros_like", "prim::NumToTensor"])
existing("ops_index", "ops_index_s.pt", inputs=IMG, ops=[
    "aten::argsort", "aten::cumsum", "aten::flip", "aten::gather", "aten::index", "aten::index_select", "aten::min",
    "aten::narrow", "aten::repeat", "aten::roll", "aten::sort", "aten::tile", "aten::topk", "aten::unbind"])
existing("ops_interp_scale", "ops_interp_scale_s.pt", inputs=IMG, ops=[
    "aten::_upsample_nearest_exact1d", "aten::_upsample_nearest_exact2d", "aten::_upsample_nearest_exact3d",
    "aten::append", "aten::flatten", "aten::list", "aten::upsample_bilinear2d", "aten::upsample_linear1d",
    "aten::upsample_nearest1d", "aten::upsample_nearest2d", "aten::upsample_nearest3d",
    "aten::upsample_trilinear3d", "prim::Loop"])
existing("ops_interp_cubic", "ops_interp_cubic_t.pt", inputs=IMG, ops=["aten::Int", "aten::upsample_bicubic2d"])
existing("ops_act", "ops_act_s.pt", inputs=IMG, ops=[
    "aten::celu", "aten::glu", "aten::hardshrink", "aten::log_sigmoid", "aten::mish", "aten::movedim",
    "aten::prelu", "aten::selu", "aten::softplus", "aten::softshrink"])
existing("ops_norm", "ops_norm_s.pt", inputs=IMG, ops=[
    "aten::__contains__", "aten::__derive_index", "aten::__range_length", "aten::channel_shuffle",
    "aten::group_norm", "aten::instance_norm", "aten::pixel_shuffle", "aten::pixel_unshuffle"])
existing("ops_conv_transpose", "ops_conv_transpose_s.pt", inputs=IMG, ops=[
    "aten::conv_transpose1d", "aten::conv_transpose2d", "aten::conv_transpose3d"])
existing("ops_pad", "ops_pad_s.pt", inputs=IMG, ops=["aten::pad"])
existing("ops_einsum", "ops_einsum_s.pt", inputs=IMG, ops=["aten::einsum"], min_opset=12)
existing("misc_ops", "misc_ops_scripted.pt", inputs=IMG4, ops=[
    "aten::avg_pool2d", "aten::cat", "aten::conv2d", "aten::hardsigmoid", "aten::hardswish", "aten::hardtanh",
    "aten::log_softmax", "aten::matmul", "aten::max_pool2d", "aten::neg", "aten::permute", "aten::reshape",
    "aten::sigmoid", "aten::silu", "aten::sub", "aten::tanh"])
existing("view_writes", "view_writes_scripted.pt", inputs=IMG4, ops=[
    "aten::add_", "aten::clone", "aten::copy_", "aten::new_zeros", "aten::tensor", "aten::zero_"])
existing("view_writes_traced", "view_writes_traced.pt", inputs=IMG4, ops=["aten::fill_"])
existing("dict_out", "dict_out_scripted.pt", inputs=IMG4, ops=["aten::_set_item", "aten::dict"])
existing("dict_out_traced", "dict_out_traced.pt", inputs=IMG4, ops=["prim::DictConstruct"])
existing("cnn_traced", "cnn_traced.pt", inputs=[In("x", ["b", 3, 16, 16])], ops=[
    "aten::_convolution", "aten::_convolution_mode", "aten::adaptive_avg_pool2d", "aten::batch_norm",
    "aten::relu6"])
existing("encoder_layer", "encoder_layer.pt", inputs=IDS, ops=[
    "aten::__getitem__", "aten::__is__", "aten::__isnot__", "aten::__not__", "aten::_native_multi_head_attention",
    "aten::_transformer_encoder_layer_fwd", "aten::add", "aten::all", "aten::any", "aten::bmm", "aten::chunk",
    "aten::contiguous", "aten::dim", "aten::div", "aten::dropout", "aten::embedding", "aten::eq", "aten::find",
    "aten::floordiv", "aten::format", "aten::gelu", "aten::gt", "aten::is_autocast_enabled",
    "aten::is_grad_enabled", "aten::layer_norm", "aten::len", "aten::linear", "aten::mul", "aten::ne",
    "aten::relu", "aten::size", "aten::softmax", "aten::split", "aten::sqrt", "aten::squeeze", "aten::str",
    "aten::transpose", "aten::unsqueeze", "aten::view", "prim::Constant", "prim::If", "prim::ListConstruct",
    "prim::ListUnpack", "prim::RaiseException", "prim::TupleConstruct", "prim::TupleIndex", "prim::Uninitialized",
    "prim::device", "prim::dtype", "prim::is_cuda", "prim::is_nested", "prim::requires_grad"])
existing("attention_ops", "attention_ops.pt", inputs=IDS, ops=[
    "aten::arange", "aten::baddbmm", "aten::expand", "aten::expand_as", "aten::full", "aten::ones",
    "aten::ones_like", "aten::sum", "aten::tril", "aten::triu", "aten::where", "aten::zeros"])
existing("rnn_gru_h0", "rnn_gru_h0.pt", inputs=[In("x", ["b", "t", 8]), In("h0", [1, "b", 12])],
         ops=["aten::gru", "prim::unchecked_cast"])
existing("rnn_lstm_bi2", "rnn_lstm_bi2.pt", inputs=[In("x", ["b", "t", 8])], ops=["aten::lstm", "prim::TupleUnpack"])
existing("rnn_rnn_relu", "rnn_rnn_relu.pt", inputs=[In("x", ["t", "b", 8])], ops=["aten::rnn_relu"])
existing("rnn_rnn_tanh", "rnn_rnn_tanh.pt", inputs=[In("x", ["b", "t", 8])], ops=["aten::rnn_tanh"])
existing("qdyn_linear", "qdyn_linear_s.pt", inputs=[In("x", ["b", 16])], ops=["quantized::linear_dynamic"])
# Per-channel weights: DequantizeLinear's axis needs opset 13.
existing("qstatic_cnn", "qstatic_cnn_t.pt", inputs=[In("x", ["b", 3, 16, 16])], min_opset=13, ops=[
    "aten::dequantize", "aten::quantize_per_tensor", "quantized::add", "quantized::conv2d", "quantized::conv2d_relu",
    "quantized::linear"])
existing("qstatic_ops", "qstatic_ops_t.pt", inputs=[In("x", ["b", 16])], min_opset=13, ops=[
    "quantized::add_relu", "quantized::cat", "quantized::linear_relu", "quantized::mul"])
# The integer form (a Loop with MatMulInteger; the float form is in tests/torchscript/quantized_test.cpp).
existing("qdyn_lstm", "qdyn_lstm_s.pt", inputs=[In("x", ["b", "t", 8])], min_opset=11, ops=["aten::quantized_lstm"])
