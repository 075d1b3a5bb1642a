#!/usr/bin/env python3
"""PyTorch's L-BFGS on the problem `nrc train` solves, from the same starting point.

What is compared
----------------
`nrc train --save-start PREFIX` writes the data and the initial parameters it trains from:
PREFIX.X.bin and PREFIX.Y.bin (d×N, one sample per column) and PREFIX.theta0.bin (all parameters
flattened: W_1 column-major n_1×n_0, b_1, W_2, b_2, …), as Armadillo binary matrices. This script
loads them and minimises the same objective (eq. 3 of the paper, float64 throughout)

    L_λ(Θ) = (1/N) Σ_i ‖f(Θ, x_i) − y_i‖² + λ Σ_l (‖W_l‖_F² + ‖b_l‖²),

    f: z⁰ = x, z^l = tanh(W_l z^{l−1} + b_l) for the hidden layers, the last layer identity

(squared error without a ½, summed over output coordinates, averaged over samples), with
torch.optim.LBFGS, until nrc's stopping test holds: ‖∇L_λ(Θ)‖₂ ≤ tol·‖2λΘ‖₂. It prints, as nrc
train does, the wall time (from the start of optimisation, data loading excluded) at which the
stationarity ratio ‖∇L_λ‖/‖2λΘ‖ first fell below 1e-2, 1e-3, …, 1e-9, then a machine-readable
RESULT line for bench/compare_pytorch.sh.

Why the comparison is fair
--------------------------
* Same data, same Θ₀, same objective, same float64 arithmetic, same stopping test evaluated after
  every iteration (as nrc does), same thread count (torch.set_num_threads and, through the calling
  script, OPENBLAS_NUM_THREADS=1; Debian's torch calls the system OpenBLAS, as nrc does).
* The optimiser is PyTorch's own L-BFGS with its strong-Wolfe line search (c1 = 1e-4, c2 = 0.9,
  like liblbfgs' More–Thuente search in nrc) and 10 correction pairs (nrc's default memory);
  tolerance_grad = tolerance_change = 0 so that only our test stops it.
* Per-iteration checking without extra work: we call optimizer.step(closure) with max_iter=1 in a
  loop, and check the ratio between calls. A plain loop would cost PyTorch one extra loss+gradient
  evaluation per iteration, because step() re-evaluates the closure at the current point on entry.
  The closure therefore memoises the points it evaluated (keyed on the exact parameter bytes): the
  re-evaluation on entry and our check are served from that cache, so the trajectory is identical,
  bit for bit, to one step(max_iter=∞) call (L-BFGS keeps its history in the optimizer state across
  calls; `--verify-loop K` checks this), and the evaluation count is PyTorch's own.
* Parameters are one flat leaf tensor (the W_l and b_l are views into it), so L-BFGS' flat-vector
  algebra works on the tensor itself rather than concatenating per-layer gradients each call. The
  loss and gradient come from autograd, as in any PyTorch training loop.

Caveat, seen on this problem: torch's L-BFGS only stores a correction pair when sᵀy > 1e-10, an
absolute threshold. Near a stationary point steps are small, sᵀy falls below it and the memory
stops changing for good; the iteration then creeps (λ = 1e-2: ratio stuck near 1e-6) or its line
search finds no decrease (λ = 1e-1: stall near 1e-7). That is PyTorch's optimiser as shipped, and
what this benchmark measures. liblbfgs, under nrc, stores every pair (More–Thuente makes sᵀy > 0),
and nrc also restarts its L-BFGS every 200 iterations.

Usage (python3 = an interpreter with torch; here /usr/bin/python3, as pyenv's comes first in PATH)
-----
    python3 bench/pytorch_lbfgs.py --start /tmp/s --widths 64,48,32,48,64 --lambda 1e-2 \
        --tol 1e-9 --time-limit 120 --threads 1
    python3 bench/pytorch_lbfgs.py --start /tmp/s --lambda 1e-2 --check          # L_λ(Θ₀), ‖∇L_λ(Θ₀)‖
    python3 bench/pytorch_lbfgs.py --start /tmp/s --lambda 1e-2 --check --theta nrc_out.bin
    python3 bench/pytorch_lbfgs.py --info                                          # versions, BLAS

--check also recomputes L_λ and ∇L_λ with plain numpy (column-major layout, hand-written
backpropagation: independent of the torch code path) and reports the relative differences.
"""

import argparse
import collections
import ctypes
import math
import sys
import time

try:
    import numpy as np
    import torch
except ImportError as e:
    sys.exit(f"error: {e.name} is not installed for {sys.executable} (Debian: apt-get install python3-torch, "
             "then run /usr/bin/python3 if another python3 comes first in PATH)")

LEVELS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9]   # as nrc train's report
ARMA_HEADER = b"ARMA_MAT_BIN_FN008"                          # Armadillo's float64 binary format


def load_arma(path):
    """An Armadillo arma_binary float64 matrix as a (rows, cols) Fortran-ordered numpy array."""
    with open(path, "rb") as f:
        header = f.readline().rstrip(b"\n")
        if header != ARMA_HEADER:
            sys.exit(f"error: {path}: not an Armadillo float64 binary matrix (header {header[:40]!r})")
        try:
            rows, cols = (int(v) for v in f.readline().split())
        except ValueError:
            sys.exit(f"error: {path}: bad size line")
        data = np.frombuffer(f.read(), dtype="<f8").astype(np.float64)   # a writable native copy
    if data.size != rows * cols:
        sys.exit(f"error: {path}: {data.size} values for a {rows}×{cols} matrix")
    return data.reshape((rows, cols), order="F")


def layer_shapes(widths):
    """(n_in, n_out, offset of W_l, offset of b_l) per layer, in nrc's flattening order."""
    shapes, off = [], 0
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        shapes.append((n_in, n_out, off, off + n_in * n_out))
        off += n_in * n_out + n_out
    return shapes, off


# ---------------------------------------------------------------------------------------------
# The objective in torch. Samples are rows here: the file's column-major d×N matrix, read as a
# row-major N×d array, is Xᵀ (no copy); likewise the slice of Θ holding W_l (column-major
# n_out×n_in), viewed row-major as n_in×n_out, is W_lᵀ. So a layer is Z ← tanh(Z W_lᵀ + b_lᵀ).
# ---------------------------------------------------------------------------------------------
def make_objective(widths, Xt, Yt, lam):
    shapes, _ = layer_shapes(widths)
    n = Xt.shape[0]
    last = len(shapes) - 1

    def objective(theta):
        Z = Xt
        for l, (n_in, n_out, w, b) in enumerate(shapes):
            Wt = theta[w:b].view(n_in, n_out)
            Z = torch.addmm(theta[b:b + n_out], Z, Wt)
            if l != last:
                Z = torch.tanh(Z)
        R = Z - Yt
        return (R * R).sum() / n + lam * theta.dot(theta)

    return objective


def loss_and_grad(objective, theta):
    """L_λ(Θ) (a 0-d tensor) and ∇L_λ(Θ) (a new tensor), by autograd."""
    with torch.enable_grad():
        loss = objective(theta)
        (grad,) = torch.autograd.grad(loss, theta)
    return loss.detach(), grad


# ---------------------------------------------------------------------------------------------
# The same objective and its gradient in plain numpy, column-major as in nrc (samples are
# columns), with backpropagation written out: an independent check of the torch code path.
# ---------------------------------------------------------------------------------------------
def numpy_loss_and_grad(widths, X, Y, theta, lam):
    shapes, _ = layer_shapes(widths)
    n = X.shape[1]
    Ws = [theta[w:b].reshape((n_out, n_in), order="F") for n_in, n_out, w, b in shapes]
    bs = [theta[b:b + n_out].reshape((n_out, 1)) for _, n_out, _, b in shapes]
    Zs = [X]
    for l in range(len(shapes)):
        A = Ws[l] @ Zs[-1] + bs[l]
        Zs.append(np.tanh(A) if l + 1 < len(shapes) else A)
    R = Zs[-1] - Y
    loss = np.sum(R * R) / n + lam * np.dot(theta, theta)
    grad = np.empty_like(theta)
    T = 2.0 * R / n                                   # ∂(data term)/∂(last layer output)
    for l in reversed(range(len(shapes))):
        n_in, n_out, w, b = shapes[l]
        grad[w:b] = (T @ Zs[l].T).reshape(-1, order="F")
        grad[b:b + n_out] = T.sum(axis=1)
        if l > 0:
            T = (Ws[l].T @ T) * (1.0 - Zs[l] * Zs[l])  # tanh' = 1 − tanh²
    grad += 2.0 * lam * theta
    return loss, grad


def stationarity(grad, theta, lam):
    """nrc's ratio ‖∇L_λ‖ / max(‖2λΘ‖, DBL_MIN) and ‖∇L_λ‖."""
    g = float(torch.linalg.vector_norm(grad))
    return g / max(2.0 * lam * float(torch.linalg.vector_norm(theta)), sys.float_info.min), g


def blas_description():
    """The OpenBLAS that torch calls (Debian's torch links the system libblas.so.3)."""
    for name in ("libblas.so.3", "libopenblas.so.0"):
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return (f"OpenBLAS kernels {lib.openblas_get_corename().decode()} "
                    f"({lib.openblas_get_config().decode().strip()})")
        except (OSError, AttributeError):
            continue
    return "BLAS not identified (not OpenBLAS?)"


def environment_line():
    backend = next((ln.split(":", 1)[1].strip() for ln in torch.__config__.parallel_info().splitlines()
                    if ln.startswith("ATen parallel backend")), "?")
    return (f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
            f"ATen parallel backend {backend}, {blas_description()}")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--start", help="prefix of nrc train --save-start files (PREFIX.X.bin, .Y.bin, .theta0.bin)")
    p.add_argument("--widths", default="64,48,32,48,64", help="layer widths d,n_1,…,n_L (default %(default)s)")
    p.add_argument("--lambda", dest="lam", type=float, default=1e-3, help="weight decay λ > 0")
    p.add_argument("--tol", type=float, default=1e-9, help="stop when ‖∇L_λ‖ ≤ tol·‖2λΘ‖ (default %(default)g)")
    p.add_argument("--time-limit", type=float, default=120.0, help="seconds of optimisation (default %(default)g)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default %(default)d)")
    p.add_argument("--check", action="store_true",
                   help="print L_λ and ‖∇L_λ‖ at Θ₀ (or --theta), cross-checked against numpy, and exit")
    p.add_argument("--theta", help="with --check: evaluate at this Armadillo column instead of Θ₀ "
                                   "(e.g. nrc train --out), to compare with nrc's own summary")
    p.add_argument("--verify-loop", type=int, metavar="K", default=0,
                   help="check that K iterations of the step(max_iter=1) loop end bit-identical to one "
                        "step(max_iter=K) call, and exit")
    p.add_argument("--info", action="store_true", help="print torch's version, threads and BLAS, and exit")
    a = p.parse_args()
    if not a.info and not a.start:
        p.error("--start is required")
    if not a.lam > 0:
        p.error("--lambda must be > 0 (the stopping test divides by ‖2λΘ‖)")
    if a.threads < 1:
        p.error("--threads must be ≥ 1")
    return a


def main():
    a = parse_args()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(a.threads)
    if a.info:
        print(environment_line())
        return 0

    widths = [int(w) for w in a.widths.split(",")]
    X = load_arma(a.start + ".X.bin")
    Y = load_arma(a.start + ".Y.bin")
    theta0 = load_arma(a.theta if a.theta else a.start + ".theta0.bin")
    _, n_params = layer_shapes(widths)
    if X.shape[0] != widths[0] or Y.shape[0] != widths[-1] or X.shape[1] != Y.shape[1]:
        sys.exit(f"error: X is {X.shape[0]}×{X.shape[1]}, Y {Y.shape[0]}×{Y.shape[1]}: "
                 f"does not fit --widths {a.widths}")
    if theta0.shape != (n_params, 1):
        sys.exit(f"error: Θ has shape {theta0.shape[0]}×{theta0.shape[1]}, expected {n_params}×1 for --widths {a.widths}")
    theta0 = theta0[:, 0]
    # The transpose of a Fortran-ordered d×N array is the C-contiguous N×d array Xᵀ: no copy.
    Xt = torch.from_numpy(X.T)
    Yt = torch.from_numpy(Y.T)
    objective = make_objective(widths, Xt, Yt, a.lam)

    if a.check:
        theta = torch.from_numpy(theta0.copy()).requires_grad_(True)
        loss, grad = loss_and_grad(objective, theta)
        ratio, gnorm = stationarity(grad, theta.detach(), a.lam)
        np_loss, np_grad = numpy_loss_and_grad(widths, X, Y, theta0, a.lam)
        print(f"point:  {a.theta if a.theta else a.start + '.theta0.bin (Θ₀)'}")
        print(f"torch:  L_λ = {float(loss):.15e}   ‖∇L_λ‖ = {gnorm:.15e}   ‖∇L_λ‖/‖2λΘ‖ = {ratio:.6e}")
        print(f"numpy:  L_λ = {np_loss:.15e}   ‖∇L_λ‖ = {np.linalg.norm(np_grad):.15e}")
        rel_loss = abs(float(loss) - np_loss) / abs(np_loss)
        # Near a stationary point ∇L_λ is a difference of terms of size ~‖2λΘ‖, so its rounding
        # error scales with that, not with ‖∇L_λ‖ itself.
        scale = max(np.linalg.norm(np_grad), 2 * a.lam * np.linalg.norm(theta0))
        rel_grad = np.linalg.norm(grad.numpy() - np_grad) / scale
        print(f"torch vs numpy: L_λ differs by {rel_loss:.2e} (relative), ∇L_λ by {rel_grad:.2e} "
              f"(2-norm, relative to max(‖∇L_λ‖, ‖2λΘ‖))")
        return 0 if rel_loss <= 1e-12 and rel_grad <= 1e-10 else 1

    # --- the optimisation ----------------------------------------------------------------------
    theta = torch.from_numpy(theta0.copy()).requires_grad_(True)
    # Memo of evaluated points (see the header): L-BFGS' strong-Wolfe search makes at most 25
    # evaluations per iteration, and the accepted point is one of them, bit for bit.
    memo = collections.deque(maxlen=32)
    evaluations = 0

    def closure():
        nonlocal evaluations
        for point, loss, grad in reversed(memo):
            if torch.equal(point, theta):
                theta.grad = grad.clone()
                return loss
        loss, grad = loss_and_grad(objective, theta)
        evaluations += 1
        memo.append((theta.detach().clone(), loss, grad))
        theta.grad = grad.clone()
        return loss

    def make_optimizer(max_iter):
        return torch.optim.LBFGS([theta], lr=1, max_iter=max_iter, max_eval=10**9, tolerance_grad=0,
                                 tolerance_change=0, history_size=10, line_search_fn="strong_wolfe")

    if a.verify_loop > 0:
        opt = make_optimizer(1)
        for _ in range(a.verify_loop):
            opt.step(closure)
        looped, looped_evals = theta.detach().clone(), evaluations
        with torch.no_grad():
            theta.copy_(torch.from_numpy(theta0))
        memo.clear()
        evaluations = 0
        make_optimizer(a.verify_loop).step(closure)
        same = torch.equal(looped, theta.detach())
        print(f"{a.verify_loop} iterations: step(max_iter=1) loop vs one step(max_iter={a.verify_loop}): "
              f"{'bit-identical' if same else 'DIFFERENT'} Θ; {looped_evals} vs {evaluations} evaluations")
        return 0 if same else 1

    optimizer = make_optimizer(1)
    crossed = [None] * len(LEVELS)
    iterations, status = 0, "time limit"
    start = time.perf_counter()
    last_print = start
    while True:
        before = theta.detach().clone()
        optimizer.step(closure)
        iterations += 1
        loss = closure()          # the accepted point: a memo hit, no evaluation
        ratio, gnorm = stationarity(theta.grad, theta.detach(), a.lam)
        now = time.perf_counter()
        elapsed = now - start
        for i, level in enumerate(LEVELS):
            if crossed[i] is None and ratio <= level:
                crossed[i] = (elapsed, iterations)
        if now - last_print >= 1.0:
            last_print = now
            print(f"pytorch: iteration {iterations}  L_λ {float(loss):.9e}  ‖∇L_λ‖/‖2λΘ‖ {ratio:.3e}  "
                  f"{elapsed:.1f} s  {iterations / elapsed:.1f} it/s", file=sys.stderr, flush=True)
        if ratio <= a.tol:
            status = "stationary"
            break
        if not math.isfinite(float(loss)) or not math.isfinite(gnorm):
            status = "diverged (non-finite loss or gradient)"
            break
        if torch.equal(before, theta.detach()):
            status = "stalled (the L-BFGS step left Θ unchanged: its line search found no decrease)"
            break
        if elapsed >= a.time_limit:
            break
    seconds = time.perf_counter() - start
    loss = float(closure())

    print(f"network:      {'-'.join(map(str, widths))}, tanh hidden, identity output, squared loss, "
          f"{n_params} parameters")
    print(f"data:         {a.start}.X.bin / .Y.bin, d = {widths[0]}, N = {X.shape[1]}")
    print(f"objective:    L_λ, λ = {a.lam:g}; torch.optim.LBFGS (strong Wolfe, history 10), tol {a.tol:g}")
    print(f"status:       {status}")
    print(f"iterations:   {iterations}, {evaluations} loss+gradient evaluations")
    print(f"stationarity: {ratio:.3e} (‖∇L_λ‖/‖2λΘ‖; ‖∇L_λ‖ = {gnorm:.3e})")
    print(f"loss:         L_λ = {loss:.11e}")
    print(f"wall time:    {seconds:.2f} s training, {iterations / seconds:.1f} iterations/s")
    print(f"torch:        {environment_line()}")
    print("time to stationarity ≤ level:")
    for level, c in zip(LEVELS, crossed):
        if c:
            print(f"  {level:.0e}  {c[0]:9.2f} s  iteration {c[1]}")
        else:
            print(f"  {level:.0e}  not reached in this run")
    reached = status == "stationary"
    # Time to tol: the check that stopped the loop (taken before the closing bookkeeping).
    print(f"RESULT reached={1 if reached else 0} seconds={elapsed if reached else seconds:.6g} "
          f"ratio={ratio:.6e} loss={loss:.12e}")
    return 0 if reached else 1


if __name__ == "__main__":
    sys.exit(main())
