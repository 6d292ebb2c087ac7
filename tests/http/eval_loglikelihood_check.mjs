// Checks `tokenfab eval --log-samples` against the endpoint itself, with the
// official `openai` npm SDK: for every multiple-choice sample and choice,
// asks /v1/completions for prompt + choice with echo, logprobs and
// max_tokens 0, sums the logprobs of the tokens that hold choice bytes (by
// text_offset), and compares with the log-likelihood the harness logged.
//   node tests/http/eval_loglikelihood_check.mjs <base URL> <model> <samples.jsonl>
// Prints {"checked": N, "largest_difference": D, "mismatches": [...]} and exits 1 on a mismatch above 1e-4.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const [baseUrl, model, samplesPath] = process.argv.slice(2);
const OpenAI = createRequire(new URL('../tools/package.json', import.meta.url))('openai');
const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });

let checked = 0;
let largest = 0;
const mismatches = [];
for (const line of readFileSync(samplesPath, 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const sample = JSON.parse(line);
  if (!sample.continuations) continue;
  for (let c = 0; c < sample.continuations.length; ++c) {
    const text = sample.prompt + sample.continuations[c];
    const r = await client.completions.create({ model, prompt: text, max_tokens: 0, echo: true, logprobs: 1, temperature: 0 });
    const { token_logprobs: values, text_offset: offsets } = r.choices[0].logprobs;
    const promptBytes = Buffer.byteLength(sample.prompt, 'utf8');
    const totalBytes = Buffer.byteLength(text, 'utf8');
    let sum = 0;
    for (let i = 0; i < values.length; ++i) {
      const end = i + 1 < offsets.length ? offsets[i + 1] : totalBytes;
      if (end > promptBytes) sum += values[i];
    }
    const difference = Math.abs(sum - sample.loglikelihoods[c]);
    largest = Math.max(largest, difference);
    if (difference > 1e-4) mismatches.push({ task: sample.task, doc: sample.doc, choice: c, script: sum, harness: sample.loglikelihoods[c] });
    checked += 1;
  }
}
console.log(JSON.stringify({ checked, largest_difference: largest, mismatches }));
process.exit(mismatches.length === 0 && checked > 0 ? 0 : 1);
