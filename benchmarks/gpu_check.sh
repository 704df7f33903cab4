#!/usr/bin/env bash
# The GPU checks of issue 4, prepared to run in one short call on a lent CUDA machine:
#   device run: bash benchmarks/gpu_check.sh        (about 5 minutes on an H200)
# That machine has torch, pytest, numpy, pillow and networkx but no Qt, so the project runs
# from the source tree (PYTHONPATH) and only the Qt-free training code is exercised. Logs go
# to $OUT (or ./gpu_check_out) so they come back even if the call is cut short.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${OUT:-gpu_check_out}"
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
py="$(command -v python3 || command -v python)"
{
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  "$py" -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, \
'bf16', torch.cuda.is_bf16_supported())"
} 2>&1 | tee "$out/gpu.txt"
# 1. the CUDA tests (auto device + bf16, resident data, a real out-of-memory error)
"$py" -m pytest -q -p no:cacheprovider -o addopts="" tests/train/test_cuda.py 2>&1 \
  | tee "$out/cuda_tests.txt"
# 2. samples/s against the seed document's loop, bf16 off and on, data resident on the GPU
"$py" benchmarks/bench_train.py --device cuda --only throughput --repeats 3 \
  --cases cnn_image_classifier lstm_sequence_classifier transformer_text_classifier 2>&1 \
  | tee "$out/throughput.txt"
# 3. time to accuracy on the GPU
"$py" benchmarks/bench_train.py --device cuda --only accuracy \
  --examples cnn_image_classifier lstm_sequence_classifier transformer_text_classifier 2>&1 \
  | tee "$out/accuracy.txt"
