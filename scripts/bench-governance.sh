#!/usr/bin/env bash
# bench-governance.sh MODEL.gguf [ROUNDS] [BIN]: the cost of the books.
# Alternates `tokenfab serve` with governance on (--auth, a tenant with rate
# limits, a concurrency cap and budgets, the SQLite ledger, a cost config)
# and all off, ROUNDS times each (default 5), on the same port and threads
# (-t 2), one server at a time; each round runs `tokenfab bench serve` at
# concurrency 16 (32 prompts of 150 random tokens, 64 out, fixed seed per
# round). Prints output tok/s per run, the median on/off ratio, and the
# p50/p99 of the wait of final bytes for the durable ledger row (ledger_s
# in the request log). BIN defaults to build/bin/tokenfab.
set -euo pipefail
model=$1
rounds=${2:-5}
bin=${3:-build/bin/tokenfab}
port=${PORT:-18080}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
books=(--db "sqlite://$dir/books.db" --secret-file "$dir/secret")
"$bin" tenants create acme --requests-per-minute 100000 --tokens-per-minute 100000000 --max-concurrent 64 \
  --budget-tokens 1000000000 --budget-kwh 1000 --budget-money 1000000 "${books[@]}" >/dev/null
key=$("$bin" keys create --tenant acme "${books[@]}" 2>/dev/null)
printf '[cost]\nprice_per_kwh = 0.15\npue = 1.3\nhardware_price = 8000\nhardware_life_years = 4\n' >"$dir/cost.toml"

run() {  # run on|off ROUND
  local args=(--log-file "$dir/$1-$2.log")
  [ "$1" = on ] && args+=(--auth "${books[@]}" --cost-config "$dir/cost.toml")
  "$bin" serve -m "$model" --port "$port" -t 2 "${args[@]}" >"$dir/serve-$1-$2.out" 2>&1 &
  local pid=$!
  for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done
  "$bin" bench serve --base-url "http://127.0.0.1:$port" --api-key "$key" --num-prompts 32 --max-concurrency 16 \
    --random-input-len 150 --random-output-len 64 --seed "$2" --no-progress --json "$dir/$1-$2.json" >/dev/null 2>&1
  kill -TERM "$pid"
  wait "$pid" || true
}
for round in $(seq 1 "$rounds"); do run on "$round"; run off "$round"; done
python3 - "$dir" "$rounds" <<'PY'
import glob, json, math, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
tps = {m: [json.load(open(f"{d}/{m}-{r}.json"))[0]["output_throughput"] for r in range(1, rounds + 1)] for m in ("on", "off")}
for r in range(rounds):
    print(f"round {r + 1}: on {tps['on'][r]:.2f} out tok/s, off {tps['off'][r]:.2f}")
ratios = [a / b for a, b in zip(tps["on"], tps["off"])]
print(f"median on/off ratio {statistics.median(ratios):.4f} (on {statistics.median(tps['on']):.2f}, off {statistics.median(tps['off']):.2f} out tok/s)")
waits = sorted(json.loads(l)["ledger_s"] for f in glob.glob(f"{d}/on-*.log") for l in open(f) if '"ledger_s"' in l)
q = lambda p: waits[max(0, min(len(waits) - 1, math.ceil(p * len(waits)) - 1))]
print(f"ledger wait over {len(waits)} requests: p50 {q(0.5) * 1e3:.2f} ms, p99 {q(0.99) * 1e3:.2f} ms")
PY
