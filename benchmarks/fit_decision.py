"""Would a tiny logistic model decide "answer or decline" better than the matcher's hand thresholds?

Run: python benchmarks/fit_decision.py
Features of each question's best match (no off-topic sign: those decline by rule): log score, coverage, second
score / best, the best item's name in the question, the strongest name found, log score x coverage.
Label: 1 when the best match is right, 0 when the question is off the plan (rows whose best match is wrong are
left out: answering or declining them are both misses). Fitted by Newton's method (L2, negatives weighted),
scored by 5-fold cross-validation on every question set, next to the hand thresholds on the same rows
(those were tuned on these sets, so their figure is optimistic).
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_answers import SETS, hit, load

from bot.plan.search import build_matcher
from knowledge.loader import default_knowledge


def rows() -> list[tuple[list[float], int, bool]]:
    matcher = build_matcher(default_knowledge())
    seen: dict = {}
    decide = matcher._decide

    def spy(matches, coverage, phrases):
        seen["args"] = (matches, coverage, dict(phrases))
        return decide(matches, coverage, phrases)

    matcher._decide = spy
    out = []
    for name in SETS:  # never the unseen set
        for row in load(name):
            seen.clear()
            result = matcher.rank(row["question"])
            if "args" not in seen or not seen["args"][0] or result.off_topic:
                continue
            matches, coverage, phrases = seen["args"]
            best = matches[0]
            expected = row["expected"].split("|")
            label = 0 if expected == ["NONE"] else 1 if hit(best.id, expected) else -1
            if label < 0:
                continue
            second = matches[1].score / best.score if len(matches) > 1 else 0.0
            own = phrases.get(matcher._doc_index[best.id], 0.0)
            log_score = math.log1p(best.score)
            features = [1.0, log_score, coverage, second, float(own > 0),
                        math.log1p(max(phrases.values(), default=0.0)), log_score * coverage]
            out.append((features, label, decide(matches, coverage, phrases)))
    return out


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float = 1.0) -> np.ndarray:
    beta = np.zeros(x.shape[1])
    penalty = l2 * np.eye(len(beta))
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ beta))
        hessian = x.T @ (x * (weight * p * (1 - p))[:, None]) + penalty
        beta += np.linalg.solve(hessian, x.T @ (weight * (y - p)) - penalty @ beta)
    return beta


def main() -> None:
    data = rows()
    x = np.array([f for f, _, _ in data])
    y = np.array([label for _, label, _ in data], dtype=float)
    rule = np.array([answered for _, _, answered in data])
    print(f"{len(y)} rows: {int(y.sum())} right best match, {int((1 - y).sum())} off the plan")
    print(f"hand thresholds (tuned on these rows): right ones declined {int(((~rule) & (y == 1)).sum())}, "
          f"off-plan ones answered {int((rule & (y == 0)).sum())}")
    folds = np.random.default_rng(0).permutation(len(y)) % 5
    for negative_weight in (1, 2, 4, 8):
        weight = np.where(y == 0, negative_weight, 1.0)
        declined = answered = 0
        for k in range(5):
            train, test = folds != k, folds == k
            predicted = x[test] @ fit(x[train], y[train], weight[train]) > 0
            declined += int(((~predicted) & (y[test] == 1)).sum())
            answered += int((predicted & (y[test] == 0)).sum())
        print(f"logistic, off-plan rows weighted x{negative_weight} (5-fold CV): right ones declined {declined}, "
              f"off-plan ones answered {answered}")


if __name__ == "__main__":
    main()
