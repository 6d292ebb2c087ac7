#!/usr/bin/env bash
# board-demo.sh [SHARED_MODELS_DIR] [WORK_DIR]: the public board end to end on
# this machine, from the three quantizations of ../shared/models/llama-d256-l2
# (Q8_0, Q4_K_M, Q4_0) and its F16 file:
#   1. KL divergence and top-1 agreement of each against F16 (tokenfab perplexity);
#   2. the three served at once with books (tokenfab serve -m … --db), their
#      eval scores (tokenfab eval) and a load for the ledger (tokenfab bench serve);
#   3. how two busy models share the cores: each one's output throughput alone,
#      then both at once (two tokenfab bench serve runs side by side);
#   4. 240 simulated votes from a stated rule (a Bradley-Terry voter whose
#      ratings are the logit of each model's top-1 agreement, 10% ties),
#      imported into the books (tokenfab arena import);
#   5. the three served again with the arena (serve --arena --eval …): one
#      real battle and vote in headless Chromium, screenshots of the arena and
#      the leaderboard page (needs chromium and tests/tools' playwright-core;
#      skipped without them), and the leaderboard of every vote in the books
#      (tokenfab arena export | tokenfab leaderboard) with costs and scores.
# Needs a build in build-dev (make build). Random weights: task scores sit at chance.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
models=${1:-$root/../shared/models}
work=${2:-$(mktemp -d)}
bin=$root/build-dev/bin/tokenfab
port=18095
mkdir -p "$work" && cd "$work"
rm -f books.db secret
names=(q8_0 q4_k_m q4_0)
for q in "${names[@]}"; do cp "$models/llama-d256-l2-$q.gguf" "d256-$q.gguf"; done
cat "$root/README.md" "$root/docs/DESIGN.md" > text.txt
for q in "${names[@]}"; do
  "$bin" perplexity -m "d256-$q.gguf" -f text.txt --ctx 128 --chunks 20 -t 2 \
    --reference "$models/llama-d256-l2-f16.gguf" --json > "kl-$q.json"
done

serve() {  # serve the given models with books; waits until it listens
  "$bin" serve "$@" --port $port -t 2 --db "sqlite://$work/books.db" --secret-file "$work/secret" > serve.log 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" > /dev/null && return; sleep 0.2; done
  echo "tokenfab serve did not start:"; cat serve.log; exit 1
}
load() {  # output throughput of `model` under 4 concurrent requests of 64 tokens
  "$bin" bench serve --base-url "http://127.0.0.1:$port" --model "$1" --num-prompts 16 --max-concurrency 4 \
    --random-input-len 64 --random-output-len 64 --seed 1 --no-progress 2>&1 | grep 'Output token throughput'
}

serve -m d256-q8_0.gguf -m d256-q4_k_m.gguf -m d256-q4_0.gguf
for q in "${names[@]}"; do
  "$bin" eval --tasks capitals,weekdays,ko_number_words,arith_en --limit 30 --model "d256-$q" \
    --base-url "http://127.0.0.1:$port" --json > "eval-$q.json"
done
echo "== sharing the cores (output tok/s)"
echo "d256-q8_0 alone:   $(load d256-q8_0)"
echo "d256-q4_0 alone:   $(load d256-q4_0)"
load d256-q8_0 > both-a.txt & a=$!
load d256-q4_0 > both-b.txt & b=$!
wait $a $b
echo "d256-q8_0 beside d256-q4_0: $(cat both-a.txt)"
echo "d256-q4_0 beside d256-q8_0: $(cat both-b.txt)"
for q in q4_k_m; do load "d256-$q" > /dev/null; done  # every model has ledger rows under load
kill -TERM $server; wait $server || true

python3 - <<'PY'
import json, math, random
models = ["d256-q8_0", "d256-q4_k_m", "d256-q4_0"]
top1 = {m: json.load(open(f"kl-{m[5:]}.json"))["top1_agreement"] for m in models}
rating = {m: 400 * math.log10(top1[m] / (1 - top1[m])) for m in models}
rng = random.Random(2026)
with open("votes.jsonl", "w") as out:
    for _ in range(240):
        a, b = rng.sample(models, 2)
        p = 1 / (1 + 10 ** ((rating[b] - rating[a]) / 400))
        winner = "tie" if rng.random() < 0.1 else ("model_a" if rng.random() < p else "model_b")
        out.write(json.dumps({"model_a": a, "model_b": b, "winner": winner}) + "\n")
print("== simulated voter's ratings:", json.dumps({m: round(r, 1) for m, r in rating.items()}))
PY
for q in "${names[@]}"; do
  python3 -c "import json; d = json.load(open('kl-$q.json')); print('$q KL %.6f ± %.6f, top-1 %.1f%%' % (d['mean_kl'], d['mean_kl_error'], 100 * d['top1_agreement']))"
done
books=(--db "sqlite://$work/books.db" --secret-file "$work/secret")
"$bin" arena import --votes votes.jsonl "${books[@]}"

serve -m d256-q8_0.gguf -m d256-q4_k_m.gguf -m d256-q4_0.gguf --arena --arena-max-tokens 64 \
  --eval eval-q8_0.json --eval eval-q4_k_m.json --eval eval-q4_0.json
if command -v chromium > /dev/null && [ -d "$root/tests/tools/node_modules/playwright-core" ]; then
  node "$root/scripts/board-screenshots.mjs" "http://127.0.0.1:$port" "$work/screenshots" "$(command -v chromium)"
else
  echo "no chromium or playwright-core (make deps): no screenshots"
fi
curl -s "http://127.0.0.1:$port/api/leaderboard" > board-api.json
kill -TERM $server; wait $server || true

"$bin" arena export "${books[@]}" > votes-all.jsonl
board=(leaderboard --votes votes-all.jsonl --bootstrap 1000 --seed 0 "${books[@]}"
       --eval eval-q8_0.json --eval eval-q4_k_m.json --eval eval-q4_0.json)
"$bin" "${board[@]}"
"$bin" "${board[@]}" --json > board.json
python3 - <<'PY'
import json
page, cli = json.load(open("board-api.json")), json.load(open("board.json"))
same = [(p["model"], p["rating"], p["ci_low"], p["ci_high"], p["rank"]) for p in page["models"]] == \
       [(c["model"], c["rating"], c["ci_low"], c["ci_high"], c["rank"]) for c in cli["models"]]
print("== the page's /api/leaderboard and tokenfab leaderboard over the exported votes:",
      "the same ratings, intervals and ranks" if same else "DIFFERENT")
PY
echo "files in $work"
