#!/usr/bin/env python3
"""bradley_terry_oracle.py VOTES.jsonl: the Bradley-Terry ratings of the votes,
computed independently of tokenfab by Hunter's minorisation-maximisation
algorithm (Hunter 2004, "MM algorithms for generalized Bradley-Terry
models"), with a tie counting as half a win for each side. Prints one JSON
object {model: rating}, ratings on the Elo scale (400 log10 of the
strengths) shifted to mean 1000. Pure Python; the MLE must exist."""
import json
import math
import sys

votes = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
models = sorted({v["model_a"] for v in votes} | {v["model_b"] for v in votes})
wins = {m: 0.0 for m in models}
games = {}
for v in votes:
    a, b = v["model_a"], v["model_b"]
    score = {"model_a": 1.0, "model_b": 0.0}.get(v["winner"], 0.5)
    wins[a] += score
    wins[b] += 1.0 - score
    key = tuple(sorted((a, b)))
    games[key] = games.get(key, 0) + 1

strength = {m: 1.0 for m in models}
for _ in range(100000):
    updated = {}
    for m in models:
        denominator = sum(n / (strength[i] + strength[j]) for (i, j), n in games.items() if m in (i, j))
        updated[m] = wins[m] / denominator
    norm = math.exp(sum(math.log(s) for s in updated.values()) / len(models))
    updated = {m: s / norm for m, s in updated.items()}
    change = max(abs(math.log(updated[m]) - math.log(strength[m])) for m in models)
    strength = updated
    if change < 1e-14:
        break

ratings = {m: 400.0 * math.log10(strength[m]) for m in models}
mean = sum(ratings.values()) / len(ratings)
print(json.dumps({m: r - mean + 1000.0 for m, r in ratings.items()}))
