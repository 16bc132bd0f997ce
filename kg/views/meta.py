"""Random-effects meta-analysis of proportions, as metafor computes it, with numpy and scipy.

* `glmm`: the binomial-normal model (logistic regression with a random intercept per study),
  fitted by maximum likelihood. Each study's likelihood is integrated over its random effect by
  adaptive Gauss-Hermite quadrature with 7 points, the way `rma.glmm(measure="PLO")` has lme4's
  `glmer` do it by default; the standard error of the mean logit comes from the inverse Hessian of
  the log-likelihood in (tau, mean), as lme4's `vcov` gives it. No continuity correction: a study
  with 0 or all events is an ordinary binomial observation.
* `paule_mandel`: logit-transformed proportions with their inverse-binomial variances, pooled with
  the Paule-Mandel tau², as `rma(measure="PLO", method="PM")`; as in metafor's `escalc` (add=1/2,
  to="only0"), 0.5 is added to the events and non-events of a study with 0 or all events only.
* `exact_interval`: one study's own proportion with its Clopper-Pearson interval.

Intervals are Wald intervals on the logit scale (estimate ± 1.96 standard errors), back-transformed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kg.errors import KGError

Z95 = 1.959963984540054
QUADRATURE_POINTS = 7
TAU_LIMIT = 10.0  # a between-study SD of 10 logits: the likelihood still rising there has no finite maximum


@dataclass(frozen=True)
class Estimate:
    """A pooled proportion: back-transformed estimate and 95 % interval, tau² on the logit scale."""

    proportion: float
    low: float
    high: float
    tau2: float | None
    logit: float
    se: float


class NotEstimable(KGError, ValueError):
    """The data admit no maximum-likelihood estimate: no study, every study with 0 (or all) events,
    or studies so unlike one another that the likelihood keeps rising with tau."""


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _estimate(logit: float, se: float, tau2: float | None) -> Estimate:
    return Estimate(_expit(logit), _expit(logit - Z95 * se), _expit(logit + Z95 * se), tau2, logit, se)


def _checked(counts: Sequence[tuple[int, int]]) -> tuple[list[int], list[int]]:
    if not counts:
        raise NotEstimable("no study to pool")
    for events, n in counts:
        if n < 1 or not 0 <= events <= n:
            raise ValueError(f"a study's count must be 0 <= events <= patients with patients >= 1, not {events}/{n}")
    return [e for e, _ in counts], [n for _, n in counts]


def exact_interval(events: int, n: int) -> tuple[float, float, float]:
    """A single proportion with its Clopper-Pearson 95 % interval (exact, never outside 0-1)."""
    from scipy.stats import beta

    _checked([(events, n)])
    low = 0.0 if events == 0 else float(beta.ppf(0.025, events, n - events + 1))
    high = 1.0 if events == n else float(beta.ppf(0.975, events + 1, n - events))
    return events / n, low, high


def paule_mandel(counts: Sequence[tuple[int, int]]) -> Estimate:
    """Logit proportions pooled with the Paule-Mandel tau² (0.5 added only where 0 or all events)."""
    import numpy as np
    from scipy.optimize import brentq

    events, n = _checked(counts)
    x = np.array(events, dtype=float)
    m = np.array(n, dtype=float) - x
    edge = (x == 0) | (m == 0)
    x, m = np.where(edge, x + 0.5, x), np.where(edge, m + 0.5, m)
    y, v = np.log(x / m), 1 / x + 1 / m
    k = len(y)

    def excess_q(tau2: float) -> float:
        w = 1 / (v + tau2)
        mean = float(np.sum(w * y) / np.sum(w))
        return float(np.sum(w * (y - mean) ** 2)) - (k - 1)

    tau2 = 0.0
    if k > 1 and excess_q(0.0) > 0:
        upper = 1.0
        while excess_q(upper) > 0:
            upper *= 4
        tau2 = float(brentq(excess_q, 0.0, upper, xtol=1e-12, rtol=1e-12))
    w = 1 / (v + tau2)
    return _estimate(float(np.sum(w * y) / np.sum(w)), float(math.sqrt(1 / np.sum(w))), tau2)


class _Binomial:
    """Log-likelihood of the binomial-normal model, each study integrated by adaptive quadrature."""

    def __init__(self, events: list[int], n: list[int]) -> None:
        import numpy as np
        from scipy.special import expit, gammaln, log_expit, logsumexp

        self.np, self.expit, self.log_expit, self.logsumexp = np, expit, log_expit, logsumexp
        self.x = np.array(events, dtype=float)
        self.n = np.array(n, dtype=float)
        self.constant = float(np.sum(gammaln(self.n + 1) - gammaln(self.x + 1) - gammaln(self.n - self.x + 1)))
        nodes, weights = np.polynomial.hermite.hermgauss(QUADRATURE_POINTS)
        self.nodes, self.log_weights = nodes, np.log(weights) + nodes**2
        self.mode = np.zeros_like(self.x)  # the last modes found: a warm start for the next call

    def loglik(self, mean: float, tau: float) -> float:
        np, x, n = self.np, self.x, self.n
        # the mode of each study's integrand: the root of its derivative, which falls as u grows (the
        # integrand is strictly log-concave) and lies between tau * (x - n) and tau * x; Newton's
        # steps, with bisection wherever a step would leave the bracket known to hold the root
        low, high = np.minimum(tau * (x - n), tau * x), np.maximum(tau * (x - n), tau * x)
        u = np.clip(self.mode, low, high)
        for _ in range(200):
            p = self.expit(mean + tau * u)
            slope = tau * (x - n * p) - u
            low, high = np.where(slope > 0, u, low), np.where(slope < 0, u, high)
            newton = u + slope / (tau**2 * n * p * (1 - p) + 1)
            step = np.where((newton > low) & (newton < high), newton, (low + high) / 2) - u
            u = u + step
            if float(np.max(np.abs(step))) < 1e-12:
                break
        self.mode = u
        p = self.expit(mean + tau * u)
        scale = np.sqrt(2 / (tau**2 * n * p * (1 - p) + 1))
        points = u[:, None] + scale[:, None] * self.nodes[None, :]
        eta = mean + tau * points
        integrand = x[:, None] * self.log_expit(eta) + (n - x)[:, None] * self.log_expit(-eta) - points**2 / 2
        per_study = np.log(scale) - 0.5 * math.log(2 * math.pi) + self.logsumexp(self.log_weights + integrand, axis=1)
        return self.constant + float(np.sum(per_study))


def glmm(counts: Sequence[tuple[int, int]]) -> Estimate:
    """Maximum-likelihood binomial-normal random-effects model on the logit scale."""
    from scipy.optimize import minimize

    events, n = _checked(counts)
    if all(e == 0 for e in events) or all(e == m for e, m in zip(events, n, strict=True)):
        # the likelihood keeps rising as the mean goes to minus (or plus) infinity: no estimate exists
        raise NotEstimable("every study has 0 events or every study has all events")
    model = _Binomial(events, n)
    start = math.log(sum(events) / (sum(n) - sum(events)))

    # the likelihood is even in tau, so tau is searched over the whole line and taken as |tau|: the
    # boundary tau = 0 needs no constraint; a few starts guard against a local maximum
    def minus_loglik(p: Any) -> float:
        return math.inf if abs(p[1]) > TAU_LIMIT else -model.loglik(p[0], p[1])

    best = None
    for tau in (0.3, 1.0, 3.0):
        found = minimize(
            minus_loglik,
            [start, tau],
            method="Nelder-Mead",
            options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 4000},
        )
        if best is None or found.fun < best.fun:
            best = found
    assert best is not None
    mean, tau = float(best.x[0]), abs(float(best.x[1]))
    if tau > 0.99 * TAU_LIMIT:
        raise NotEstimable("the likelihood keeps rising with the between-cohort variance (the cohorts share nothing)")
    return _estimate(mean, _standard_error(model, mean, tau), tau**2)


def _standard_error(model: _Binomial, mean: float, tau: float) -> float:
    """From the inverse of the observed information in (tau, mean); the likelihood is even in tau,
    so at tau = 0 the cross term vanishes and this is the equal-effects standard error."""
    import numpy as np

    h = 1e-4

    def f(t: float, b: float) -> float:
        return -model.loglik(b, t)

    centre = f(tau, mean)
    tt = (f(tau + h, mean) - 2 * centre + f(tau - h, mean)) / h**2
    bb = (f(tau, mean + h) - 2 * centre + f(tau, mean - h)) / h**2
    tb = (f(tau + h, mean + h) - f(tau + h, mean - h) - f(tau - h, mean + h) + f(tau - h, mean - h)) / (4 * h**2)
    info = np.array([[tt, tb], [tb, bb]])
    try:
        variance = float(np.linalg.inv(info)[1, 1])
    except np.linalg.LinAlgError:
        variance = -1.0
    if not math.isfinite(variance) or variance <= 0:
        variance = 1 / bb  # a flat likelihood in tau: the conditional variance, as lme4 falls back to
    return math.sqrt(variance)
