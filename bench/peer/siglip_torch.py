#!/usr/bin/python3
"""PyTorch peer of JEST Studio's SigLIP two-tower train step (src/model, src/nn).

The same architecture and the same math as the ONNX graphs built by src/model/graphs.ts:
Flexi patch embedding (PI-resized kernel and bilinearly resampled position embeddings for patch
sizes other than the stored, smallest one), pre-LN transformer blocks with a fused qkv Linear
[D, 3D], q pre-scaled by 1/sqrt(dh), additive -1e9 key-padding mask, exact erf GELU, layer norm
eps 1e-6, mean pooling over patches, masked mean pooling over real tokens (count clamped to >= 1),
head Linear, L2 normalisation z / sqrt(sum z^2 + 1e-12), the sigmoid pair loss
sum softplus(-(labels * logits)) / N with logits = exp(t') * zimg @ ztxt^T + b, and
torch.optim.AdamW (decay group only decayed) with global grad-norm clipping.

Parameters follow src/model/layout.ts: modelParams() order, matrices concatenated into the flat
'decay' vector, everything else into the flat 'plain' vector. This script declares the layout
itself and checks it against the layout the Node benchmark sends.

Protocol (written by bench/step.bench.ts into DIR):
  config.json        model, optimizer, batch, patchSize, lr, steps, warmup, threads, layout
  theta.decay.f32    raw little-endian float32 (layout.size.decay values)
  theta.plain.f32    raw little-endian float32 (layout.size.plain values)
  images.u8          uint8 [B, S, S, 3]
  tokens.i32         int32 [B, L], 0 = pad
  matmuls.json       (with --matmul-floor) the step's matrix products, timed alone
Written back into DIR (parity):
  grad.{decay,plain}.f64, grad.{decay,plain}.f32   flat gradients of the loss
  theta1.{decay,plain}.f32                         parameters after ONE clipped AdamW step (t = 1)
  parity.json                                      losses (float64, float32, after-step) and grad norms
Printed on stdout: one JSON object with the timings (ms per train step, float32) per variant.

--device cuda runs the same step on the GPU (a torch with CUDA; the benchmarks pick its
interpreter with JEST_PEER_PYTHON).

Exit codes: 0 ok, 1 a non-finite loss, 2 bad input, 3 torch missing (or, with --device cuda, no
CUDA device).
For the CPU benchmark run it with Debian's interpreter, /usr/bin/python3 (python3-torch 1.13
installs there; the Node benchmarks default to it).
"""
import argparse
import inspect
import json
import math
import os
import statistics
import sys
import time

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.stderr.write(
        f"PEER MISSING: cannot import torch/numpy in {sys.executable} ({e}).\n"
        "Install Debian's PyTorch with OpenBLAS (OpenMP):\n"
        "  bash scripts/setup-system.sh --torch\n"
        "or\n"
        "  apt-get install -y python3-torch libopenblas0-openmp python3-numpy\n"
        "and run this script with /usr/bin/python3.\n"
    )
    sys.exit(3)


# ---------------------------------------------------------------------------------------------
# Layout (src/model/siglip.ts modelParams, src/nn/*.ts *Params)
# ---------------------------------------------------------------------------------------------

def js_round(x):
    """Math.round: halves round up."""
    return int(math.floor(x + 0.5))


def model_params(c):
    """[(name, shape, decay)] in modelParams() order."""
    D, E, L, V = c["width"], c["embedDim"], c["seqLen"], c["vocabSize"]
    hidden = js_round(D * c["mlpRatio"])
    pb = min(c["patchSizes"])
    Gb = c["imageSize"] // pb
    specs = []

    def linear(name, i, o):
        specs.extend([(f"{name}.w", [i, o], True), (f"{name}.b", [o], False)])

    def ln(name, d):
        specs.extend([(f"{name}.scale", [d], False), (f"{name}.bias", [d], False)])

    def block(name):
        ln(f"{name}.ln1", D)
        linear(f"{name}.attn.qkv", D, 3 * D)
        linear(f"{name}.attn.out", D, D)
        ln(f"{name}.ln2", D)
        linear(f"{name}.mlp.fc1", D, hidden)
        linear(f"{name}.mlp.fc2", hidden, D)

    specs.extend([
        ("img.patch.kernel", [3 * pb * pb, D], True),
        ("img.patch.bias", [D], False),
        ("img.patch.pos", [Gb * Gb, D], True),
    ])
    for i in range(c["depth"]):
        block(f"img.block{i}")
    ln("img.ln_final", D)
    linear("img.head", D, E)
    specs.append(("txt.tok", [V, D], True))
    specs.append(("txt.pos", [L, D], True))
    for i in range(c["depth"]):
        block(f"txt.block{i}")
    ln("txt.ln_final", D)
    linear("txt.head", D, E)
    specs.append(("t_prime", [1], False))
    specs.append(("bias", [1], False))
    return specs


def flat_layout(specs):
    """{group: [(name, shape, offset, size)]}, {group: total}."""
    entries = {"decay": [], "plain": []}
    size = {"decay": 0, "plain": 0}
    for name, shape, decay in specs:
        g = "decay" if decay else "plain"
        n = int(np.prod(shape))
        entries[g].append((name, shape, size[g], n))
        size[g] += n
    return entries, size


def check_layout(entries, size, sent):
    """The Node side sends its layout; ours must be identical."""
    if sent is None:
        return
    ours = []
    for g in ("decay", "plain"):
        for name, shape, off, n in entries[g]:
            ours.append((name, tuple(shape), g, off, n))
    theirs = sorted(((e["name"], tuple(e["shape"]), e["group"], e["offset"], e["size"]) for e in sent["entries"]),
                    key=lambda t: (t[2] != "decay", t[3]))
    if ours != theirs or size != sent["size"]:
        for a, b in zip(ours, theirs):
            if a != b:
                sys.stderr.write(f"layout mismatch: torch {a} vs node {b}\n")
                break
        sys.stderr.write(f"layout sizes: torch {size} vs node {sent['size']}\n")
        sys.exit(2)


# ---------------------------------------------------------------------------------------------
# Resampling matrices (src/nn/resize.ts)
# ---------------------------------------------------------------------------------------------

def linear_resize_1d(n_in, n_out):
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        src = min(max((i + 0.5) * (n_in / n_out) - 0.5, 0), n_in - 1)
        i0 = int(math.floor(src))
        w = src - i0
        m[i, i0] += 1 - w
        if w > 0:
            m[i, min(i0 + 1, n_in - 1)] += w
    return m


def bilinear_resize_2d(n, m):
    r = linear_resize_1d(n, m)
    return np.kron(r, r)  # [(yo, xo), (yi, xi)] = r[yo, yi] * r[xo, xi]


def pi_resize(pb, p):
    if p == pb:
        return np.eye(p * p)
    b = bilinear_resize_2d(pb, p)  # [p^2, pb^2]
    if p > pb:
        return b @ np.linalg.inv(b.T @ b)
    return np.linalg.inv(b @ b.T) @ b


# ---------------------------------------------------------------------------------------------
# Model (src/model/siglip.ts, src/nn/layers.ts, src/nn/flexi.ts, src/model/loss.ts)
# ---------------------------------------------------------------------------------------------

class SigLIP:
    def __init__(self, c, dtype, patch, device="cpu"):
        self.c = c
        self.dtype = dtype
        self.device = device
        self.patch = patch
        S = c["imageSize"]
        pb = min(c["patchSizes"])
        self.pb = pb
        self.G = S // patch
        self.Gb = S // pb
        self.hidden = js_round(c["width"] * c["mlpRatio"])
        self.kernel_resize = None if patch == pb else torch.tensor(pi_resize(pb, patch), dtype=dtype, device=device)
        self.pos_resize = None if self.G == self.Gb else torch.tensor(bilinear_resize_2d(self.Gb, self.G), dtype=dtype, device=device)

    @staticmethod
    def linear(P, name, x):
        return torch.addmm(P[f"{name}.b"], x, P[f"{name}.w"])

    @staticmethod
    def layer_norm(P, name, x):
        return F.layer_norm(x, (x.shape[-1],), P[f"{name}.scale"], P[f"{name}.bias"], 1e-6)

    def attention(self, P, name, x, seq, mask_bias):
        D = x.shape[1]
        H = self.c["heads"]
        dh = D // H
        q, k, v = self.linear(P, f"{name}.qkv", x).split(D, dim=1)
        q = q * (1 / math.sqrt(dh))
        qh = q.reshape(-1, seq, H, dh).permute(0, 2, 1, 3)  # [N, H, T, dh]
        kt = k.reshape(-1, seq, H, dh).permute(0, 2, 3, 1)  # [N, H, dh, T]
        vh = v.reshape(-1, seq, H, dh).permute(0, 2, 1, 3)
        scores = torch.matmul(qh, kt)
        if mask_bias is not None:
            scores = scores + mask_bias
        ctx = torch.matmul(torch.softmax(scores, dim=-1), vh)
        merged = ctx.permute(0, 2, 1, 3).reshape(-1, D)
        return self.linear(P, f"{name}.out", merged)

    def block(self, P, name, x, seq, mask_bias=None):
        h = x + self.attention(P, f"{name}.attn", self.layer_norm(P, f"{name}.ln1", x), seq, mask_bias)
        m = self.linear(P, f"{name}.mlp.fc2", F.gelu(self.linear(P, f"{name}.mlp.fc1", self.layer_norm(P, f"{name}.ln2", h))))
        return h + m

    @staticmethod
    def l2(z):
        return z / torch.sqrt((z * z).sum(dim=1, keepdim=True) + 1e-12)

    def encode_images(self, P, images):
        c = self.c
        D, C, p, G = c["width"], 3, self.patch, self.G
        x = images.to(self.dtype) * (1 / 127.5) - 1
        patches = x.reshape(-1, G, p, G, p, C).permute(0, 1, 3, 5, 2, 4).reshape(-1, C * p * p)
        kernel = P["img.patch.kernel"]
        if self.kernel_resize is not None:
            kernel = torch.matmul(self.kernel_resize, kernel.reshape(C, self.pb * self.pb, D)).reshape(C * p * p, D)
        tokens = torch.addmm(P["img.patch.bias"], patches, kernel)
        pos = P["img.patch.pos"]
        if self.pos_resize is not None:
            pos = self.pos_resize @ pos
        x = (tokens.reshape(-1, G * G, D) + pos).reshape(-1, D)
        for i in range(c["depth"]):
            x = self.block(P, f"img.block{i}", x, G * G)
        x = self.layer_norm(P, "img.ln_final", x)
        pooled = x.reshape(-1, G * G, D).mean(dim=1)
        return self.l2(self.linear(P, "img.head", pooled))

    def encode_texts(self, P, tokens):
        c = self.c
        L, D = c["seqLen"], c["width"]
        valid = (tokens != 0).to(self.dtype)  # [N, L]
        mask_bias = ((valid - 1) * 1e9).reshape(-1, 1, 1, L)
        emb = F.embedding(tokens, P["txt.tok"]) + P["txt.pos"]  # [N, L, D]
        x = emb.reshape(-1, D)
        for i in range(c["depth"]):
            x = self.block(P, f"txt.block{i}", x, L, mask_bias)
        x = self.layer_norm(P, "txt.ln_final", x)
        masked = x.reshape(-1, L, D) * valid.reshape(-1, L, 1)
        count = torch.clamp(valid.sum(dim=1, keepdim=True), min=1)
        pooled = masked.sum(dim=1) / count
        return self.l2(self.linear(P, "txt.head", pooled))

    def loss(self, P, images, tokens):
        zi = self.encode_images(P, images)
        zt = self.encode_texts(P, tokens)
        logits = torch.matmul(zi, zt.t()) * torch.exp(P["t_prime"]) + P["bias"]
        n = logits.shape[0]
        labels = 2 * torch.eye(n, dtype=self.dtype, device=self.device) - 1
        return F.softplus(-(labels * logits)).sum() / n


# ---------------------------------------------------------------------------------------------
# Two parameterisations of the same model
# ---------------------------------------------------------------------------------------------

class FlatParams:
    """Two flat leaf tensors (as in the ONNX graph): torch.split views per parameter in the
    forward pass (SplitBackward = one cat per group), optimizer and clipping over 2 tensors."""

    name = "flat"

    def __init__(self, entries, theta):
        self.entries = entries
        self.leaves = {g: theta[g].clone().requires_grad_(True) for g in ("decay", "plain")}

    def params(self):
        P = {}
        for g in ("decay", "plain"):
            sizes = [n for _, _, _, n in self.entries[g]]
            for (name, shape, _, _), part in zip(self.entries[g], torch.split(self.leaves[g], sizes)):
                P[name] = part.view(shape)
        return P

    def groups(self):
        return [[self.leaves["decay"]], [self.leaves["plain"]]]

    def flat_grad(self, g):
        return self.leaves[g].grad

    def flat_theta(self, g):
        return self.leaves[g].detach()


class PerTensorParams:
    """One leaf tensor per parameter (the usual nn.Module way); AdamW foreach over the lists."""

    name = "per_tensor"

    def __init__(self, entries, theta):
        self.entries = entries
        self.leaves = {}
        for g in ("decay", "plain"):
            for name, shape, off, n in entries[g]:
                self.leaves[name] = theta[g][off:off + n].clone().view(shape).requires_grad_(True)

    def params(self):
        return self.leaves

    def groups(self):
        return [[self.leaves[e[0]] for e in self.entries[g]] for g in ("decay", "plain")]

    def flat_grad(self, g):
        return torch.cat([self.leaves[e[0]].grad.reshape(-1) for e in self.entries[g]])

    def flat_theta(self, g):
        return torch.cat([self.leaves[e[0]].detach().reshape(-1) for e in self.entries[g]])


VARIANTS = {"flat": FlatParams, "per_tensor": PerTensorParams}


def make_optimizer(holder, opt, lr, impl):
    """impl: "" (one tensor at a time), "foreach" (multi-tensor) or "fused" (one kernel; CUDA)."""
    decay, plain = holder.groups()
    kind = {"foreach": True} if impl == "foreach" else {"fused": True} if impl == "fused" else {"foreach": False}
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": opt["weightDecay"]}, {"params": plain, "weight_decay": 0.0}],
        lr=lr, betas=(opt["beta1"], opt["beta2"]), eps=opt["eps"], **kind,
    )


def train_step(model, holder, optimizer, all_params, images, tokens, clip):
    for p in all_params:
        p.grad = None
    loss = model.loss(holder.params(), images, tokens)
    loss.backward()
    if clip > 0:
        torch.nn.utils.clip_grad_norm_(all_params, clip)
    optimizer.step()
    return loss


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def profile(c, opt, lr, patch, entries, theta32, images, tokens, variant, warmup, steps):
    """Where torch's step goes: phase times (forward, backward, clip, AdamW) and the top ops."""
    name, _, fe = variant.partition("+")
    model = SigLIP(c, torch.float32, patch, theta32["decay"].device)
    holder = VARIANTS[name](entries, theta32)
    params = [p for grp in holder.groups() for p in grp]
    optimizer = make_optimizer(holder, opt, lr, fe)
    for _ in range(warmup):
        train_step(model, holder, optimizer, params, images, tokens, opt["clipNorm"])
    phases = {"forward": [], "backward": [], "clip": [], "adamw": []}
    for _ in range(steps):
        for p in params:
            p.grad = None
        t0 = time.perf_counter()
        loss = model.loss(holder.params(), images, tokens)
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        torch.nn.utils.clip_grad_norm_(params, opt["clipNorm"])
        t3 = time.perf_counter()
        optimizer.step()
        t4 = time.perf_counter()
        for k, (a, b) in zip(phases, ((t0, t1), (t1, t2), (t2, t3), (t3, t4))):
            phases[k].append((b - a) * 1e3)
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as tprofile
    # The profiler's own cost grows quickly with the model (it held GBs at 8.5M params): 2 steps.
    prof_steps = min(steps, 2)
    with tprofile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(prof_steps):
            train_step(model, holder, optimizer, params, images, tokens, opt["clipNorm"])
    ops = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)
    total = sum(e.self_cpu_time_total for e in ops)
    return {
        "variant": variant,
        "phases_ms": {k: statistics.median(v) for k, v in phases.items()},
        "self_total_ms": total / 1e3 / prof_steps,
        "ops": [{"op": e.key, "ms": e.self_cpu_time_total / 1e3 / prof_steps, "count": e.count // prof_steps} for e in ops[:15]],
    }


def matmul_floor(specs, warmup, steps):
    """The step's matrix products alone (matmuls.json, written by bench/matmul-floor.ts): torch.mm
    for Gemm (transposes as views, as torch's own backward passes them) and torch.matmul for the
    batched MatMuls; the BLAS floor of torch's step."""
    g = torch.Generator().manual_seed(7)
    ops = []
    for s in specs:
        a = torch.rand(s["a"], generator=g) - 0.5
        b = torch.rand(s["b"], generator=g) - 0.5
        if s["op"] == "Gemm":
            ops.append((torch.mm, a.t() if s["transA"] else a, b.t() if s["transB"] else b))
        else:
            ops.append((torch.matmul, a, b))
    times = []
    with torch.no_grad():
        for i in range(warmup + steps):
            t0 = time.perf_counter()
            for f, a, b in ops:
                f(a, b)
            if i >= warmup:
                times.append((time.perf_counter() - t0) * 1e3)
    return {"min_ms": min(times), "median_ms": statistics.median(times), "products": len(ops)}


def read(path, dtype, count=None):
    a = np.fromfile(path, dtype=dtype)
    if count is not None and a.size != count:
        sys.stderr.write(f"{path}: expected {count} values, got {a.size}\n")
        sys.exit(2)
    return a


def write(path, tensor, np_dtype):
    tensor.detach().cpu().numpy().astype(np_dtype).tofile(path)


def blas_report(dev):
    """The OpenBLAS kernel this process runs (openblas_get_corename, read through ctypes from the
    library torch loaded) and a plain 1024^3 float32 sgemm rate: whether the peer's BLAS runs at
    the speed this CPU allows (bench/blas-kernel.ts picks the kernel from the CPU's flags)."""
    import ctypes
    core = None
    if dev == "cpu":
        for lib in sorted({l.split()[-1] for l in open("/proc/self/maps") if "openblas" in l.lower()} if os.path.exists("/proc/self/maps") else []):
            try:
                f = ctypes.CDLL(lib).openblas_get_corename
                f.restype = ctypes.c_char_p
                core = f().decode()
                break
            except (OSError, AttributeError):
                continue
    n = 1024
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    for _ in range(3):
        a @ b
    best = float("inf")
    for _ in range(10):
        if dev == "cuda":
            torch.cuda.synchronize()
        t = time.perf_counter()
        a @ b
        if dev == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - t)
    return {"core": core, "gemm_n": n, "gemm_gflops": 2 * n ** 3 / best / 1e9}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--steps", type=int, default=None, help="timed steps (default: config.steps)")
    ap.add_argument("--warmup", type=int, default=None, help="untimed steps first (default: config.warmup)")
    ap.add_argument("--threads", type=int, default=None, help="torch intra-op threads (default: config.threads)")
    ap.add_argument("--variants", default=None,
                    help="comma list of parameterisations: flat or per_tensor, each alone or with +foreach AdamW "
                         "(+fused on cuda). Default: all four CPU ones; on cuda also per_tensor+fused")
    ap.add_argument("--device", default="cpu", choices=("cpu", "cuda"),
                    help="where torch runs the step (cuda: the GPU's own peer of ORT's GPU providers)")
    ap.add_argument("--no-parity", action="store_true")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--profile-steps", type=int, default=0,
                    help="after timing, profile this many steps of the fastest variant (torch.profiler + phase times)")
    ap.add_argument("--matmul-floor", action="store_true",
                    help="also time the step's matrix products alone (matmuls.json in dir)")
    args = ap.parse_args()

    with open(os.path.join(args.dir, "config.json")) as f:
        cfg = json.load(f)
    c, opt = cfg["model"], cfg["optimizer"]
    dev = args.device
    if dev == "cuda" and (args.profile_steps or args.matmul_floor):
        sys.stderr.write("--profile-steps and --matmul-floor time the CPU; run them without --device cuda\n")
        sys.exit(2)
    if dev == "cuda" and not torch.cuda.is_available():
        sys.stderr.write(f"PEER MISSING: torch {torch.__version__} in {sys.executable} sees no CUDA device.\n")
        sys.exit(3)
    # AdamW(fused=True) exists from torch 2.0, for CUDA tensors
    fused_ok = dev == "cuda" and "fused" in inspect.signature(torch.optim.AdamW).parameters
    variants = args.variants or ("flat+foreach,flat,per_tensor+foreach,per_tensor" + (",per_tensor+fused" if fused_ok else ""))
    threads = args.threads or cfg.get("threads", 2)
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    steps = args.steps if args.steps is not None else cfg.get("steps", 20)
    warmup = args.warmup if args.warmup is not None else cfg.get("warmup", 3)
    B, S, L, patch, lr = cfg["batch"], c["imageSize"], c["seqLen"], cfg["patchSize"], cfg["lr"]

    entries, size = flat_layout(model_params(c))
    check_layout(entries, size, cfg.get("layout"))
    theta32 = {g: torch.from_numpy(read(os.path.join(args.dir, f"theta.{g}.f32"), "<f4", size[g]).copy()) for g in ("decay", "plain")}
    images = torch.from_numpy(read(os.path.join(args.dir, "images.u8"), np.uint8, B * S * S * 3).reshape(B, S, S, 3).copy())
    tokens = torch.from_numpy(read(os.path.join(args.dir, "tokens.i32"), "<i4", B * L).reshape(B, L).astype(np.int64))
    # Everything the step reads lives on the device; the timed loop's loss.item() waits for the GPU.
    theta32 = {g: t.to(dev) for g, t in theta32.items()}
    images, tokens = images.to(dev), tokens.to(dev)

    out = {
        "blas": blas_report(dev),
        "torch": torch.__version__,
        "python": sys.executable,
        "threads": torch.get_num_threads(),
        "device": torch.cuda.get_device_name(0) if dev == "cuda" else "cpu",
        "params": size["decay"] + size["plain"],
    }

    if not args.no_parity:
        parity = {}
        for dtype, suffix in ((torch.float64, "f64"), (torch.float32, "f32")):
            model = SigLIP(c, dtype, patch, dev)
            holder = FlatParams(entries, {g: theta32[g].to(dtype) for g in theta32})
            loss = model.loss(holder.params(), images, tokens)
            loss.backward()
            parity[f"loss_{suffix}"] = loss.item()
            for g in ("decay", "plain"):
                grad = holder.flat_grad(g)
                write(os.path.join(args.dir, f"grad.{g}.{suffix}"), grad, "<f8" if suffix == "f64" else "<f4")
                parity[f"grad_norm_{g}_{suffix}"] = grad.double().norm().item()
        # One clipped AdamW step from the same weights, float32, t = 1 (as runTrainStep's first step).
        model = SigLIP(c, torch.float32, patch, dev)
        holder = FlatParams(entries, theta32)
        params = [p for grp in holder.groups() for p in grp]
        optimizer = make_optimizer(holder, opt, lr, "")
        loss = train_step(model, holder, optimizer, params, images, tokens, opt["clipNorm"])
        parity["loss_step_f32"] = loss.item()
        for g in ("decay", "plain"):
            write(os.path.join(args.dir, f"theta1.{g}.f32"), holder.flat_theta(g), "<f4")
        with open(os.path.join(args.dir, "parity.json"), "w") as f:
            json.dump(parity, f, indent=1)
        out["parity"] = parity

    if not args.no_timing:
        timings = {}
        for key in variants.split(","):
            variant, _, fe = key.partition("+")
            if variant not in VARIANTS or fe not in ("", "foreach", "fused"):
                sys.stderr.write(f"unknown variant {key}; variants: flat, per_tensor, each alone, +foreach or (cuda) +fused\n")
                sys.exit(2)
            if fe == "fused" and not fused_ok:
                sys.stderr.write(f"{key}: fused AdamW needs --device cuda and torch >= 2.0 (this is {torch.__version__} on {dev})\n")
                sys.exit(2)
            model = SigLIP(c, torch.float32, patch, dev)
            holder = VARIANTS[variant](entries, theta32)
            params = [p for grp in holder.groups() for p in grp]
            optimizer = make_optimizer(holder, opt, lr, fe)
            times = []
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for i in range(warmup + steps):
                t0 = time.perf_counter()
                loss = train_step(model, holder, optimizer, params, images, tokens, opt["clipNorm"])
                loss.item()
                if i >= warmup:
                    times.append((time.perf_counter() - t0) * 1e3)
                if not math.isfinite(loss.item()):
                    sys.stderr.write(f"{variant}: loss became {loss.item()} at step {i}\n")
                    sys.exit(1)
            timings[key] = {"min_ms": min(times), "median_ms": statistics.median(times), "mean_ms": statistics.fmean(times), "steps": steps,
                            "cpu_s": time.process_time() - cpu0, "wall_s": time.perf_counter() - wall0}
        best = min(timings, key=lambda k: timings[k]["median_ms"])
        out["timings"] = timings
        out["best"] = best
        if args.profile_steps > 0:
            out["profile"] = profile(c, opt, lr, patch, entries, theta32, images, tokens, best, warmup, args.profile_steps)
    if args.matmul_floor:
        with open(os.path.join(args.dir, "matmuls.json")) as f:
            out["matmul_floor"] = matmul_floor(json.load(f), warmup, steps)
    out["cpu_s"] = time.process_time()  # all threads of this process, for the caller's load accounting
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
