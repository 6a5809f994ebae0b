#!/usr/bin/env python3
"""Measures real per-layer and whole-forward GPU times of the corpus' torch models on the GPU at hand,
for the single-GPU fidelity table of docs/GPU-MODEL.md (test/corpus/gpu-single-fidelity.test.ts).

Models (plain PyTorch, random weights, eval / no_grad; the same architectures and dims as
shared/corpus/torch/*/*.onnx, written out here so that every layer can be labelled and no hub is needed):
  resnet50   ResNet-50 v1.5 at 224x224, BatchNorm folded into the convolutions (as the ONNX export is)
  vit_b_16   ViT-B/16 at 224x224 (197 tokens), fused QKV projection, explicit attention
  bert_base  BERT-base encoder + pooler, sequence 128 (the manifest's runtime binding), explicit attention
  gpt2_small GPT-2 small, sequence 1024, causal mask, tied LM head over 50,257 tokens
Attention is written out as the graphs hold it (MatMul, scale/mask, Softmax, MatMul: the scores are
materialised), so the kernels are the graphs' kernels run by eager PyTorch (cuBLAS / cuDNN, no fusion across
ops). One extra run replaces it with scaled_dot_product_attention (flash) for comparison.

For each model, dtype (fp16; fp32 with TF32 tensor cores allowed, the rate the spec's fp32 number is) and
batch (1 and a larger one: 32, GPT-2 8), it records:
  graph_ms     one forward replayed from a CUDA graph (launch cost ~0.8 us per kernel, as the model assumes)
  eager_ms     one forward launched from Python (host-bound at batch 1)
  kernel_ms    the sum of the forward's GPU kernel durations (torch.profiler, CUDA activity)
  by_label     kernel time (us) and kernel count per labelled op of the forward: every op runs inside a
               torch.profiler.record_function('@role|instance') range, and each kernel is credited to the
               innermost range above the op that launched it (role = conv, qkv, scores, softmax, ...)
  top_kernels  per role, every kernel that took time there, largest first (names cut to 90 characters)
Times are CUDA-event means over back-to-back repetitions (about 0.25 s each) after warm-up, with
cudnn.benchmark on. The JSON goes to $OUT/gpu-layers.json (or ./gpu-layers.json), rewritten after every
run so that a run cut short keeps what it measured. DRY=1 runs tiny shapes on the CPU (checks the script);
ONLY=name,name limits the models.
Then a GEMM sweep (fp16, isolated, weights rotated past the L2 cache): the models' linear-layer shapes and
an unaligned N (GPT-2's 50,257 vocabulary) against the same N padded to 50,304.
Cross-checks at the end, if installed and time allows: torchvision resnet50 / vit_b_16 and transformers
BERT / GPT-2 (random init from their default configs) whole-forward times.
"""
import contextlib, datetime, json, math, os, subprocess, time
from collections import defaultdict
import torch
import torch.nn as nn
import torch.nn.functional as F

T0 = time.time()
DRY = os.environ.get('DRY') == '1'
BUDGET_S = float(os.environ.get('BUDGET_S', '215'))  # stop starting new runs after this many seconds
dev = torch.device('cpu' if DRY else 'cuda')
PROF = {'on': False}


def R(label):
    """record_function range for a labelled op, only while profiling (no host cost otherwise)."""
    return torch.profiler.record_function('@' + label) if PROF['on'] else contextlib.nullcontext()


# ---------------------------------------------------------------- models (labels: role|instance)
class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, down, name, **f):
        super().__init__()
        self.name = name
        self.c1 = nn.Conv2d(cin, width, 1, **f)
        self.c2 = nn.Conv2d(width, width, 3, stride, 1, **f)
        self.c3 = nn.Conv2d(width, width * 4, 1, **f)
        self.down = nn.Conv2d(cin, width * 4, 1, stride, **f) if down else None

    def forward(self, x):
        n = self.name
        with R(f'conv|{n}.conv1'): y = self.c1(x)
        with R(f'relu|{n}.relu1'): y = F.relu(y, inplace=True)
        with R(f'conv|{n}.conv2'): y = self.c2(y)
        with R(f'relu|{n}.relu2'): y = F.relu(y, inplace=True)
        with R(f'conv|{n}.conv3'): y = self.c3(y)
        if self.down is not None:
            with R(f'conv|{n}.downsample'): x = self.down(x)
        with R(f'add|{n}.add'): y = y.add_(x)
        with R(f'relu|{n}.relu3'): y = F.relu(y, inplace=True)
        return y


class ResNet50(nn.Module):
    def __init__(self, **f):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, **f)
        blocks, cin = [], 64
        for s, (width, n, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]):
            for i in range(n):
                blocks.append(Bottleneck(cin, width, stride if i == 0 else 1, i == 0, f'layer{s + 1}.{i}', **f))
                cin = width * 4
        self.blocks = nn.ModuleList(blocks)
        self.fc = nn.Linear(2048, 1000, **f)

    def forward(self, x):
        with R('conv|conv1'): x = self.conv1(x)
        with R('relu|relu'): x = F.relu(x, inplace=True)
        with R('pool|maxpool'): x = F.max_pool2d(x, 3, 2, 1)
        for b in self.blocks: x = b(x)
        with R('pool|avgpool'): x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        with R('fc|fc'): return self.fc(x)


class Attention(nn.Module):
    """Explicit attention as the ONNX graphs hold it; q, k, v [B, H, S, D] from the projections."""
    def __init__(self, heads, causal_len=0, sdpa=False, **f):
        super().__init__()
        self.heads, self.sdpa = heads, sdpa
        if causal_len:
            self.register_buffer('causal', torch.tril(torch.ones(causal_len, causal_len, dtype=torch.bool, device=f.get('device'))))
        else:
            self.causal = None

    def forward(self, q, k, v, i, ext_mask=None):
        B, H, S, D = q.shape
        if self.sdpa:
            with R(f'attn-fused|{i}'):
                o = F.scaled_dot_product_attention(q, k, v, attn_mask=ext_mask, is_causal=self.causal is not None)
        else:
            with R(f'scores|{i}'): s = torch.matmul(q, k.transpose(-1, -2))
            with R(f'mask|{i}'):
                s = s / math.sqrt(D)
                if ext_mask is not None: s = s + ext_mask
                if self.causal is not None: s = torch.where(self.causal[:S, :S], s, torch.finfo(s.dtype).min)
            with R(f'softmax|{i}'): p = torch.softmax(s, -1)
            with R(f'context|{i}'): o = torch.matmul(p, v)
        with R(f'merge-heads|{i}'): return o.transpose(1, 2).reshape(B, S, H * D)


def split_heads(x, B, S, parts, H, D):
    return x.view(B, S, parts, H, D).permute(2, 0, 3, 1, 4)


class PreLNBlock(nn.Module):
    """ViT / GPT-2 block: x + attn(ln1(x)); x + mlp(ln2(x)); fused QKV."""
    def __init__(self, h, heads, ffn, eps, gelu, causal_len=0, sdpa=False, **f):
        super().__init__()
        self.heads, self.gelu = heads, gelu
        self.ln1 = nn.LayerNorm(h, eps=eps, **f)
        self.qkv = nn.Linear(h, 3 * h, **f)
        self.attn = Attention(heads, causal_len, sdpa, **f)
        self.oproj = nn.Linear(h, h, **f)
        self.ln2 = nn.LayerNorm(h, eps=eps, **f)
        self.up = nn.Linear(h, ffn, **f)
        self.down = nn.Linear(ffn, h, **f)

    def forward(self, x, i):
        B, S, h = x.shape
        H = self.heads; D = h // H
        with R(f'ln1|{i}'): y = self.ln1(x)
        with R(f'qkv|{i}'): y = self.qkv(y)
        with R(f'split-heads|{i}'): q, k, v = split_heads(y, B, S, 3, H, D)
        y = self.attn(q, k, v, i)
        with R(f'oproj|{i}'): y = self.oproj(y)
        with R(f'bda1|{i}'): x = x + y
        with R(f'ln2|{i}'): y = self.ln2(x)
        with R(f'up|{i}'): y = self.up(y)
        with R(f'act|{i}'): y = F.gelu(y, approximate=self.gelu)
        with R(f'down|{i}'): y = self.down(y)
        with R(f'bda2|{i}'): return x + y


class ViT(nn.Module):
    def __init__(self, sdpa=False, **f):
        super().__init__()
        self.patch = nn.Conv2d(3, 768, 16, 16, **f)
        self.cls = nn.Parameter(torch.zeros(1, 1, 768, **f))
        self.pos = nn.Parameter(torch.randn(1, 197, 768, **f) * 0.02)
        self.blocks = nn.ModuleList(PreLNBlock(768, 12, 3072, 1e-6, 'none', 0, sdpa, **f) for _ in range(12))
        self.ln = nn.LayerNorm(768, eps=1e-6, **f)
        self.head = nn.Linear(768, 1000, **f)

    def forward(self, x):
        B = x.shape[0]
        with R('patch|conv_proj'): x = self.patch(x)
        with R('embed|tokens'):
            x = x.flatten(2).transpose(1, 2)
            x = torch.cat([self.cls.expand(B, -1, -1), x], 1) + self.pos
        for i, b in enumerate(self.blocks): x = b(x, i)
        with R('final-norm|ln'): x = self.ln(x[:, 0])
        with R('head|head'): return self.head(x)


class GPT2(nn.Module):
    def __init__(self, seq=1024, sdpa=False, **f):
        super().__init__()
        self.wte = nn.Embedding(50257, 768, **f)
        self.wpe = nn.Embedding(1024, 768, **f)
        self.register_buffer('posids', torch.arange(seq, device=f.get('device')))
        self.blocks = nn.ModuleList(PreLNBlock(768, 12, 3072, 1e-5, 'tanh', 1024, sdpa, **f) for _ in range(12))
        self.ln_f = nn.LayerNorm(768, **f)

    def forward(self, ids):
        with R('embed|wte+wpe'): x = self.wte(ids) + self.wpe(self.posids[:ids.shape[1]])
        for i, b in enumerate(self.blocks): x = b(x, i)
        with R('final-norm|ln_f'): x = self.ln_f(x)
        with R('lm-head|lm_head'): return torch.matmul(x, self.wte.weight.t())


class BertLayer(nn.Module):
    """Post-LN: x = ln1(x + attn(x)); x = ln2(x + mlp(x)); separate Q, K, V projections."""
    def __init__(self, **f):
        super().__init__()
        self.q, self.k, self.v = (nn.Linear(768, 768, **f) for _ in range(3))
        self.attn = Attention(12, **f)
        self.oproj = nn.Linear(768, 768, **f)
        self.ln1 = nn.LayerNorm(768, eps=1e-12, **f)
        self.up = nn.Linear(768, 3072, **f)
        self.down = nn.Linear(3072, 768, **f)
        self.ln2 = nn.LayerNorm(768, eps=1e-12, **f)

    def forward(self, x, ext, i):
        B, S, h = x.shape
        with R(f'qkv|{i}.q'): q = self.q(x)
        with R(f'qkv|{i}.k'): k = self.k(x)
        with R(f'qkv|{i}.v'): v = self.v(x)
        with R(f'split-heads|{i}'): q, k, v = (t.view(B, S, 12, 64).transpose(1, 2) for t in (q, k, v))
        y = self.attn(q, k, v, i, ext)
        with R(f'oproj|{i}'): y = self.oproj(y)
        with R(f'bda1|{i}'): y = y + x
        with R(f'ln1|{i}'): x = self.ln1(y)
        with R(f'up|{i}'): y = self.up(x)
        with R(f'act|{i}'): y = F.gelu(y)
        with R(f'down|{i}'): y = self.down(y)
        with R(f'bda2|{i}'): y = y + x
        with R(f'ln2|{i}'): return self.ln2(y)


class Bert(nn.Module):
    def __init__(self, seq=128, **f):
        super().__init__()
        self.word = nn.Embedding(30522, 768, **f)
        self.pos = nn.Embedding(512, 768, **f)
        self.token_type = nn.Embedding(2, 768, **f)
        self.register_buffer('posids', torch.arange(seq, device=f.get('device')))
        self.ln = nn.LayerNorm(768, eps=1e-12, **f)
        self.layers = nn.ModuleList(BertLayer(**f) for _ in range(12))
        self.pool = nn.Linear(768, 768, **f)

    def forward(self, ids, mask, types):
        with R('embed|embeddings'): x = self.word(ids) + self.pos(self.posids[:ids.shape[1]]) + self.token_type(types)
        with R('ln-embed|embeddings'): x = self.ln(x)
        with R('mask|extended'): ext = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for i, l in enumerate(self.layers): x = l(x, ext, i)
        with R('pooler|pooler'): p = torch.tanh(self.pool(x[:, 0]))
        return x, p


# ---------------------------------------------------------------- timing
def sync():
    if not DRY: torch.cuda.synchronize()


def timed_ms(fn, target_s=0.25):
    """Mean ms per call of back-to-back calls (CUDA events), repetitions sized to about target_s."""
    fn(); sync()
    if DRY:
        t = time.time(); fn(); return (time.time() - t) * 1e3
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    s.record(); fn(); e.record(); torch.cuda.synchronize()
    one = max(s.elapsed_time(e), 1e-3)
    reps = int(max(5, min(300, target_s * 1e3 / one)))
    s.record()
    for _ in range(reps): fn()
    e.record(); torch.cuda.synchronize()
    return s.elapsed_time(e) / reps


def graph_of(fn):
    st = torch.cuda.Stream()
    st.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(st):
        for _ in range(2): fn()
    torch.cuda.current_stream().wait_stream(st)
    g = torch.cuda.CUDAGraph()
    with torch.cuda.graph(g): fn()
    return g


def attribute(prof, nfwd):
    """Kernel time per label: each kernel goes to the innermost '@' range above the op that launched it
    (the profiler's CPU event tree; time-range containment when the tree credits too little)."""
    from torch.autograd import DeviceType
    events = [e for e in prof.events()]
    cpu = [e for e in events if e.device_type == DeviceType.CPU]
    ranges = sorted((e for e in cpu if e.name.startswith('@')), key=lambda e: e.time_range.start)

    def by_tree(e):
        p = e
        while p is not None:
            if p.name.startswith('@'): return p.name[1:]
            p = p.cpu_parent
        return None

    def by_time(e):
        best = None
        for r in ranges:  # innermost = the latest-starting range that contains the op
            if r.time_range.start > e.time_range.start: break
            if r.time_range.end >= e.time_range.end and r.thread == e.thread: best = r
        return best.name[1:] if best else None

    launched = []
    for e in cpu:
        if DRY:
            ks = [] if e.name.startswith('@') else [(e.name, e.self_cpu_time_total)]
        else:
            ks = [(k.name, k.duration) for k in e.kernels]
        if ks: launched.append((e, ks))
    tree = [by_tree(e) for e, _ in launched]
    method = 'tree'
    if sum(1 for t in tree if t is None) > 0.2 * max(1, len(tree)):
        tree, method = [by_time(e) for e, _ in launched], 'time-range'
    by_label = defaultdict(lambda: [0.0, 0])
    names = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    total_us, count = 0.0, 0
    for (e, ks), lab in zip(launched, tree):
        lab = lab or 'unlabelled|' + e.name
        role = lab.split('|')[0]
        for name, us in ks:
            by_label[lab][0] += us / nfwd; by_label[lab][1] += 1
            n = names[role][name[:90]]; n[0] += us / nfwd; n[1] += 1
            total_us += us; count += 1
    device_us = sum(e.time_range.elapsed_us() for e in events if e.device_type == DeviceType.CUDA) / nfwd
    top = {r: dict(sorted(((k, [round(v[0], 3), v[1] // nfwd]) for k, v in d.items()), key=lambda kv: -kv[1][0])) for r, d in names.items()}
    return {
        'kernel_ms': total_us / nfwd / 1e3, 'device_events_ms': device_us / 1e3, 'kernels_per_forward': count / nfwd,
        'attribution': method, 'by_label': {k: [round(v[0], 3), v[1] // nfwd] for k, v in by_label.items()}, 'top_kernels': top,
    }


def measure(name, build, make_inputs, dtype, batch, seq=None, variant='explicit', profile=True):
    f = {'device': dev, 'dtype': dtype}
    torch.manual_seed(0)
    model = build(f).eval()
    inputs = make_inputs(batch, f)
    r = {'model': name, 'dtype': str(dtype).replace('torch.', ''), 'batch': batch, 'seq': seq, 'variant': variant,
         'params': sum(p.numel() for p in model.parameters())}
    with torch.no_grad():
        fwd = lambda: model(*inputs)
        for _ in range(3): fwd()
        sync()
        r['eager_ms'] = timed_ms(fwd)
        if not DRY:
            try:
                g = graph_of(fwd)
                r['graph_ms'] = timed_ms(g.replay)
                del g
            except Exception as ex:  # noqa: BLE001  (e.g. a host-to-device copy inside the forward)
                r['graph_error'] = f'{type(ex).__name__}: {str(ex)[:200]}'
                torch.cuda.synchronize()
        if profile:
            from torch.profiler import profile as tprof, ProfilerActivity
            acts = [ProfilerActivity.CPU] + ([] if DRY else [ProfilerActivity.CUDA])
            nfwd = 2
            PROF['on'] = True
            try:
                with tprof(activities=acts) as prof:
                    for _ in range(nfwd): fwd()
                    sync()
            finally:
                PROF['on'] = False
            r.update(attribute(prof, nfwd))
    del model, inputs
    if not DRY: torch.cuda.empty_cache()
    return r


def img_inputs(b, f): return (torch.randn(b, 3, 224, 224, **f),)
def gpt_inputs(seq): return lambda b, f: (torch.randint(0, 50257, (b, seq), device=f['device']),)
def bert_inputs(seq):
    return lambda b, f: (torch.randint(0, 30522, (b, seq), device=f['device']), torch.ones(b, seq, dtype=torch.long, device=f['device']),
                         torch.zeros(b, seq, dtype=torch.long, device=f['device']))


def meta():
    m = {'date': datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds'), 'torch': torch.__version__,
         'cuda': torch.version.cuda, 'dry_run': DRY, 'tf32_for_fp32': True, 'cudnn_benchmark': True}
    if not DRY:
        m['gpu'] = torch.cuda.get_device_name(0)
        m['cudnn'] = torch.backends.cudnn.version()
        try:
            m['nvidia_smi'] = subprocess.run(['nvidia-smi', '--query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit',
                                              '--format=csv,noheader'], capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception as ex:  # noqa: BLE001
            m['nvidia_smi'] = 'error: ' + str(ex)[:100]
    for mod in ('torchvision', 'transformers'):
        try:
            m[mod] = __import__(mod).__version__
        except Exception as ex:  # noqa: BLE001
            m[mod] = None
            m[mod + '_error'] = str(ex)[:120]
    return m


def main():
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = True
    torch.set_float32_matmul_precision('high')  # fp32 GEMMs on TF32 tensor cores (the spec's fp32 rate)
    out = {'meta': meta(), 'runs': [], 'crosscheck': [], 'skipped': [], 'errors': []}
    dest = os.path.join(os.environ.get('OUT', '.'), 'gpu-layers.json')
    print(json.dumps(out['meta']), flush=True)

    def save():
        out['meta']['wall_s'] = round(time.time() - T0, 1)
        json.dump(out, open(dest, 'w'), indent=0)

    S_GPT = 64 if DRY else 1024
    S_BERT = 16 if DRY else 128
    big = 2 if DRY else 32
    models = {
        'resnet50': (lambda f: ResNet50(**f), img_inputs, None),
        'vit_b_16': (lambda f: ViT(**f), img_inputs, None),
        'bert_base': (lambda f: Bert(S_BERT, **f), bert_inputs(S_BERT), S_BERT),
        'gpt2_small': (lambda f: GPT2(S_GPT, **f), gpt_inputs(S_GPT), S_GPT),
    }
    plan = []
    for dt in ([torch.float32] if DRY else [torch.float16, torch.float32]):
        for name in models:
            if os.environ.get('ONLY') and name not in os.environ['ONLY'].split(','): continue
            for b in (1, 2 if DRY else (8 if name == 'gpt2_small' else big)):
                plan.append((name, dt, b, 'explicit'))
        if dt == torch.float16 and not DRY:
            plan.append(('gpt2_small', dt, 8, 'sdpa'))
            plan.append(('vit_b_16', dt, 32, 'sdpa'))
            plan.append(('resnet50', dt, 32, 'channels_last'))
    for name, dt, b, variant in plan:
        if time.time() - T0 > BUDGET_S:
            out['skipped'].append(f'{name} {dt} b{b} {variant}'); continue
        build, inp, seq = models[name]
        if variant == 'sdpa':
            build = (lambda f: GPT2(S_GPT, sdpa=True, **f)) if name == 'gpt2_small' else (lambda f: ViT(sdpa=True, **f))
        if variant == 'channels_last':
            build = lambda f: ResNet50(**f).to(memory_format=torch.channels_last)
            inp = lambda b, f: (torch.randn(b, 3, 224, 224, **f).to(memory_format=torch.channels_last),)
        try:
            t = time.time()
            r = measure(name, build, inp, dt, b, seq, variant)
            r['wall_s'] = round(time.time() - t, 1)
            out['runs'].append(r)
            print(f"{name:11s} {r['dtype']:8s} b{b:<3d} {variant:13s} graph {r.get('graph_ms', float('nan')):8.3f} ms  eager {r['eager_ms']:8.3f} ms  "
                  f"kernels {r.get('kernel_ms', float('nan')):8.3f} ms ({r.get('kernels_per_forward', 0):.0f})  [{r['wall_s']} s]", flush=True)
        except Exception as ex:  # noqa: BLE001
            out['errors'].append(f'{name} {dt} b{b} {variant}: {type(ex).__name__}: {str(ex)[:300]}')
            print('ERROR', out['errors'][-1], flush=True)
            if not DRY: torch.cuda.empty_cache()
        save()

    # GEMM sweep (fp16, CUDA graph of back-to-back GEMMs, weights rotated past the L2 cache): the linear layers'
    # shapes in isolation, and an unaligned N (GPT-2's 50,257-token vocabulary) against the same N padded to 64
    if not DRY and time.time() - T0 < BUDGET_S + 10:
        sweep = []
        for M, K, N in [(128, 768, 768), (128, 768, 3072), (197, 768, 2304), (197, 3072, 768), (1024, 768, 2304), (1024, 768, 3072),
                        (4096, 768, 3072), (6304, 768, 2304), (6304, 3072, 768), (8192, 768, 3072), (32768, 768, 3072),
                        (1024, 768, 50257), (1024, 768, 50304), (8192, 768, 50257), (8192, 768, 50304)]:
            try:
                wbytes = K * N * 2
                copies = max(2, min(32, int(150e6 // wbytes) + 1))
                ws = [torch.randn(K, N, device=dev, dtype=torch.float16) for _ in range(copies)]
                a = torch.randn(M, K, device=dev, dtype=torch.float16)
                with torch.no_grad():
                    g = graph_of(lambda: [a @ w for w in ws])
                    us = timed_ms(g.replay, 0.1) * 1e3 / copies
                sweep.append({'M': M, 'K': K, 'N': N, 'us': round(us, 3), 'TFLOPs': round(2 * M * K * N / us / 1e6, 1)})
                print('gemm', sweep[-1], flush=True)
                del ws, g
                torch.cuda.empty_cache()
            except Exception as ex:  # noqa: BLE001
                out['errors'].append(f'gemm {M}x{K}x{N}: {type(ex).__name__}: {str(ex)[:200]}')
        out['gemm_fp16'] = sweep
        save()

    # cross-checks: the libraries' own implementations, whole forward only (fp16)
    if not DRY:
        checks = []
        try:
            import torchvision
            checks += [('torchvision resnet50', lambda f: torchvision.models.resnet50().to(**f), img_inputs, 32),
                       ('torchvision resnet50', lambda f: torchvision.models.resnet50().to(**f), img_inputs, 1),
                       ('torchvision vit_b_16', lambda f: torchvision.models.vit_b_16().to(**f), img_inputs, 32)]
        except Exception:  # noqa: BLE001
            pass
        try:
            import transformers as tf
            checks += [('transformers bert-base', lambda f: tf.BertModel(tf.BertConfig(attn_implementation='eager')).to(**f), lambda b, f: bert_inputs(128)(b, f)[:1], 32),
                       ('transformers gpt2', lambda f: tf.GPT2LMHeadModel(tf.GPT2Config(attn_implementation='eager')).to(**f), gpt_inputs(1024), 8)]
        except Exception:  # noqa: BLE001
            pass
        for label, build, inp, b in checks:
            if time.time() - T0 > BUDGET_S + 20:
                out['skipped'].append(label); continue
            try:
                r = measure(label, build, inp, torch.float16, b, profile=False)
                out['crosscheck'].append(r)
                print(f"{label:24s} b{b:<3d} graph {r.get('graph_ms', float('nan')):8.3f} ms  eager {r['eager_ms']:8.3f} ms", flush=True)
            except Exception as ex:  # noqa: BLE001
                out['errors'].append(f'{label}: {type(ex).__name__}: {str(ex)[:300]}')
                print('ERROR', out['errors'][-1], flush=True)
            save()
    save()
    print('wrote', dest, 'in', round(time.time() - T0, 1), 's')


if __name__ == '__main__':
    main()
