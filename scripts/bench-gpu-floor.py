#!/usr/bin/env python3
"""Measures, on the GPU at hand, the numbers docs/GPU-MODEL.md uses for batch-1 decode:
  1. time per kernel of back-to-back tiny kernels (the per-kernel floor): a null kernel launched from the
     host (CSCS/ReFrame kernel_latency method), the same replayed from a CUDA graph, and PyTorch's add on
     1024 elements and rms_norm on 4096 replayed from a CUDA graph (as serving engines run decode);
  2. bf16 GEMV time and achieved bandwidth by weight size (weights rotated past the L2 cache);
  3. a Llama decode step (batch 1, bf16, random weights, CUDA graph): 8B on one GPU and the per-GPU shard
     of 8B and 70B under 8-way tensor parallelism (no all-reduce), with its kernel count.
Writes JSON to $OUT/gpu-floor.json (or ./gpu-floor.json). Needs PyTorch with CUDA (and nvcc for part 1a).
"""
import json, os, subprocess, tempfile, time
import torch
import torch.nn.functional as F

dev = torch.device('cuda')
out = {'gpu': torch.cuda.get_device_name(0), 'torch': torch.__version__}


def timed(fn, reps):
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    fn(); torch.cuda.synchronize()
    s.record()
    for _ in range(reps): fn()
    e.record(); torch.cuda.synchronize()
    return s.elapsed_time(e) / reps * 1e3  # microseconds per call


def graph_of(fn):
    st = torch.cuda.Stream()
    st.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(st):
        for _ in range(3): fn()
    torch.cuda.current_stream().wait_stream(st)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g): fn()
    return g


# 1a. null kernel, host launches and graph replay (nvcc)
CU = r'''
#include <cstdio>
#include <chrono>
__global__ void null_kernel() {}
int main() {
  const int n = 5000;
  null_kernel<<<1,1>>>(); cudaDeviceSynchronize();
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) null_kernel<<<1,1>>>();
  cudaDeviceSynchronize();
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) { null_kernel<<<1,1>>>(); cudaDeviceSynchronize(); }
  auto t2 = std::chrono::steady_clock::now();
  cudaStream_t s; cudaStreamCreate(&s);
  cudaGraph_t g; cudaGraphExec_t ge;
  cudaStreamBeginCapture(s, cudaStreamCaptureModeGlobal);
  for (int i = 0; i < 1000; ++i) null_kernel<<<1,1,0,s>>>();
  cudaStreamEndCapture(s, &g);
  cudaGraphInstantiate(&ge, g, 0);
  cudaGraphLaunch(ge, s); cudaStreamSynchronize(s);
  auto t3 = std::chrono::steady_clock::now();
  for (int r = 0; r < 20; ++r) cudaGraphLaunch(ge, s);
  cudaStreamSynchronize(s);
  auto t4 = std::chrono::steady_clock::now();
  auto us = [](auto a, auto b) { return std::chrono::duration<double, std::micro>(b - a).count(); };
  printf("{\"async_us\": %.3f, \"sync_us\": %.3f, \"graph_us\": %.3f}\n", us(t0, t1) / n, us(t1, t2) / n, us(t3, t4) / 20000);
  return 0;
}
'''
try:
    d = tempfile.mkdtemp()
    open(os.path.join(d, 'k.cu'), 'w').write(CU)
    subprocess.run(['nvcc', '-O2', '-o', os.path.join(d, 'k'), os.path.join(d, 'k.cu')], check=True, capture_output=True, timeout=120)
    r = subprocess.run([os.path.join(d, 'k')], check=True, capture_output=True, text=True, timeout=60)
    out['null_kernel'] = json.loads(r.stdout.strip())
except Exception as ex:  # noqa: BLE001
    out['null_kernel'] = {'error': str(ex)[:300]}
print('null kernel', out['null_kernel'], flush=True)

# 1b. tiny PyTorch kernels replayed from a CUDA graph (1000 per graph)
x = torch.randn(1024, device=dev); y = torch.randn(1024, device=dev); z = torch.empty_like(x)
hx = torch.randn(1, 4096, device=dev, dtype=torch.bfloat16); hw = torch.ones(4096, device=dev, dtype=torch.bfloat16)
tiny = {}
for name, op in [('add_1024_fp32', lambda: torch.add(x, y, out=z)), ('rms_norm_4096_bf16', lambda: F.rms_norm(hx, (4096,), hw))]:
    g = graph_of(lambda: [op() for _ in range(1000)])
    tiny[name + '_graph_us'] = timed(g.replay, 20) / 1000
    tiny[name + '_eager_us'] = timed(op, 2000)
out['tiny'] = tiny
print('tiny', tiny, flush=True)

# 2. GEMV [1, K] x [K, N], bf16, weights rotated so the set exceeds the L2 cache 4x
gemv = []
for K, N in [(4096, 512), (4096, 768), (1024, 8192), (4096, 1536), (8192, 1280), (4096, 4096), (4096, 6144),
             (3584, 8192), (8192, 7168), (14336, 4096), (4096, 28672), (4096, 16032), (8192, 57344)]:
    wbytes = K * N * 2
    copies = max(2, min(64, int(200e6 // wbytes) + 1))
    ws = [torch.randn(K, N, device=dev, dtype=torch.bfloat16) for _ in range(copies)]
    a = torch.randn(1, K, device=dev, dtype=torch.bfloat16)
    g = graph_of(lambda: [a @ w for w in ws])
    us = timed(g.replay, 10) / copies
    gemv.append({'K': K, 'N': N, 'MB': wbytes / 1e6, 'us': us, 'GBps': wbytes / us / 1e3})
    del ws, g
    torch.cuda.empty_cache()
out['gemv'] = gemv
for r in gemv: print('gemv', r, flush=True)


# 3. Llama decode step, batch 1, bf16, CUDA graph. Kernels per block: rms_norm, QKV, 2 cache writes, SDPA,
#    out-proj, residual add, rms_norm, gate+up, SiLU, mul, down, residual add (no RoPE).
def decode(name, L, h, heads, kv, ffn, vocab, past, t):
    d = h // heads
    qn, kvn, fn = heads * d // t, max(1, kv // t) * d, ffn // t
    s = 0.02
    P = [dict(w1=torch.ones(h, device=dev, dtype=torch.bfloat16), w2=torch.ones(h, device=dev, dtype=torch.bfloat16),
              qkv=torch.randn(h, qn + 2 * kvn, device=dev, dtype=torch.bfloat16) * s,
              o=torch.randn(qn, h, device=dev, dtype=torch.bfloat16) * s,
              gu=torch.randn(h, 2 * fn, device=dev, dtype=torch.bfloat16) * s,
              dn=torch.randn(fn, h, device=dev, dtype=torch.bfloat16) * s,
              kc=torch.zeros(1, kvn // d, past + 1, d, device=dev, dtype=torch.bfloat16),
              vc=torch.zeros(1, kvn // d, past + 1, d, device=dev, dtype=torch.bfloat16)) for _ in range(L)]
    head = torch.randn(h, vocab // t, device=dev, dtype=torch.bfloat16) * s
    wf = torch.ones(h, device=dev, dtype=torch.bfloat16)
    x0 = torch.randn(1, h, device=dev, dtype=torch.bfloat16)

    def step():
        x = x0
        for p in P:
            r = F.rms_norm(x, (h,), p['w1'])
            qkv = r @ p['qkv']
            q = qkv[:, :qn].view(1, qn // d, 1, d)
            p['kc'][:, :, past].copy_(qkv[:, qn:qn + kvn].view(1, kvn // d, d))
            p['vc'][:, :, past].copy_(qkv[:, qn + kvn:].view(1, kvn // d, d))
            a = F.scaled_dot_product_attention(q, p['kc'], p['vc'], enable_gqa=True)
            x = x + a.reshape(1, qn) @ p['o']
            r = F.rms_norm(x, (h,), p['w2'])
            gu = r @ p['gu']
            x = x + (F.silu(gu[:, :fn]) * gu[:, fn:]) @ p['dn']
        return F.rms_norm(x, (h,), wf) @ head

    step(); torch.cuda.synchronize()
    eager_ms = timed(step, 5) / 1e3
    kernels = None
    try:
        from torch.profiler import profile, ProfilerActivity
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            step(); torch.cuda.synchronize()
        kernels = sum(1 for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA and 'Memcpy' not in e.name and 'Memset' not in e.name)
    except Exception as ex:  # noqa: BLE001
        kernels = 'error: ' + str(ex)[:200]
    g = graph_of(step)
    graph_ms = timed(g.replay, 30) / 1e3
    wbytes = sum(v.numel() * 2 for p in P for k, v in p.items() if k in ('qkv', 'o', 'gu', 'dn')) + head.numel() * 2
    r = {'name': name, 'layers': L, 'tp_shard': t, 'past': past, 'graph_ms': graph_ms, 'eager_ms': eager_ms,
         'kernels_per_step': kernels, 'weight_GB': wbytes / 1e9, 'GBps': wbytes / graph_ms / 1e6}
    del P, head, g
    torch.cuda.empty_cache()
    return r


steps = []
for cfg in [('llama3.1-8B tp1', 32, 4096, 32, 8, 14336, 128256, 1024, 1),
            ('llama3.1-8B tp1', 32, 4096, 32, 8, 14336, 128256, 4096, 1),
            ('llama3.1-8B tp8-shard', 32, 4096, 32, 8, 14336, 128256, 4096, 8),
            ('llama3.1-70B tp8-shard', 80, 8192, 64, 8, 28672, 128256, 1024, 8)]:
    try:
        steps.append(decode(*cfg))
    except Exception as ex:  # noqa: BLE001
        steps.append({'name': cfg[0], 'error': str(ex)[:300]})
    print('decode', steps[-1], flush=True)
out['decode'] = steps

dest = os.path.join(os.environ.get('OUT', '.'), 'gpu-floor.json')
json.dump(out, open(dest, 'w'), indent=1)
print('wrote', dest)
