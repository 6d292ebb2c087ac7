// Drives a running `tokenfab serve` with the official `openai` npm SDK (v6,
// installed under tests/tools by `make deps`) and checks what a real client
// sees: completions and chat (whole and streamed), logprobs (sampled and
// prompt), stop strings, n, seed reproducibility, structured output
// (response_format json_schema), typed errors and usage.
//   node tests/http/openai_sdk_e2e.mjs <base URL> <model name>
// Prints one JSON summary line {"passed":[…],"failed":[{"check","error"}]}
// and exits 1 when any check failed (exit 2: the SDK could not be loaded).
import { createRequire } from 'node:module';

const [baseUrl, model] = process.argv.slice(2);
if (!baseUrl || !model) {
  console.error('usage: openai_sdk_e2e.mjs <base URL> <model name>');
  process.exit(2);
}

let OpenAI;
try {
  OpenAI = createRequire(new URL('../tools/package.json', import.meta.url))('openai');
} catch (error) {
  console.error(`cannot load the openai package from tests/tools/node_modules: ${error.message}`);
  process.exit(2);
}

const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
const PROMPT = 'Once upon a time';
const MESSAGES = [{ role: 'user', content: 'Tell me a story.' }];

const passed = [];
const failed = [];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function checkUsage(usage, where) {
  check(usage && Number.isInteger(usage.prompt_tokens) && usage.prompt_tokens > 0, `${where}: usage.prompt_tokens ${JSON.stringify(usage)}`);
  check(Number.isInteger(usage.completion_tokens), `${where}: usage.completion_tokens ${JSON.stringify(usage)}`);
  check(usage.total_tokens === usage.prompt_tokens + usage.completion_tokens, `${where}: total_tokens is not the sum: ${JSON.stringify(usage)}`);
  check(Number.isInteger(usage.prompt_tokens_details?.cached_tokens), `${where}: usage.prompt_tokens_details.cached_tokens ${JSON.stringify(usage)}`);
}

async function run(name, body) {
  try {
    await body();
    passed.push(name);
  } catch (error) {
    failed.push({ check: name, error: `${error?.constructor?.name ?? 'Error'}: ${error?.message ?? error}` });
  }
}

async function expectTypedError(promise, ErrorClass, status, fields) {
  let caught;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  check(caught, `no error thrown; expected ${ErrorClass.name}`);
  check(caught instanceof ErrorClass, `threw ${caught.constructor.name} (status ${caught.status}): ${caught.message}; expected ${ErrorClass.name}`);
  check(caught.status === status, `status ${caught.status}, expected ${status}`);
  for (const [key, value] of Object.entries(fields)) {
    check(caught[key] === value, `error.${key} is ${JSON.stringify(caught[key])}, expected ${JSON.stringify(value)}`);
  }
}

// The greedy answers every later check compares against.
let greedyText = '';
let greedyChat = '';

await run('models.list names the served model', async () => {
  const page = await client.models.list();
  check(page.data.some((m) => m.id === model), `model list: ${JSON.stringify(page.data)}`);
});

await run('completions (whole)', async () => {
  const r = await client.completions.create({ model, prompt: PROMPT, max_tokens: 16, temperature: 0 });
  check(r.object === 'text_completion', `object ${r.object}`);
  check(r.choices.length === 1 && typeof r.choices[0].text === 'string', `choices ${JSON.stringify(r.choices)}`);
  check(['length', 'stop'].includes(r.choices[0].finish_reason), `finish_reason ${r.choices[0].finish_reason}`);
  checkUsage(r.usage, 'completions');
  check(r.choices[0].finish_reason !== 'length' || r.usage.completion_tokens === 16, `finish length with ${r.usage.completion_tokens} tokens`);
  greedyText = r.choices[0].text;
  check(greedyText.length > 0, 'empty greedy text');
});

await run('chat (whole)', async () => {
  const r = await client.chat.completions.create({ model, messages: MESSAGES, max_tokens: 16, temperature: 0 });
  check(r.object === 'chat.completion', `object ${r.object}`);
  const message = r.choices[0].message;
  check(message.role === 'assistant' && typeof message.content === 'string', `message ${JSON.stringify(message)}`);
  check(['length', 'stop'].includes(r.choices[0].finish_reason), `finish_reason ${r.choices[0].finish_reason}`);
  checkUsage(r.usage, 'chat');
  greedyChat = message.content;
});

await run('chat streaming joins to the whole greedy answer', async () => {
  const stream = await client.chat.completions.create({ model, messages: MESSAGES, max_tokens: 16, temperature: 0, stream: true });
  let text = '';
  let finish = null;
  let n_chunks = 0;
  let firstRole;
  for await (const chunk of stream) {
    if (n_chunks === 0) firstRole = chunk.choices[0]?.delta?.role;
    ++n_chunks;
    check(chunk.object === 'chat.completion.chunk', `chunk object ${chunk.object}`);
    for (const choice of chunk.choices) {
      text += choice.delta?.content ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  check(n_chunks >= 2, `${n_chunks} chunks`);
  check(firstRole === 'assistant', `the first chunk's delta.role is ${firstRole}`);
  check(finish === 'length' || finish === 'stop', `finish_reason ${finish}`);
  check(text === greedyChat, `streamed ${JSON.stringify(text)} != whole ${JSON.stringify(greedyChat)}`);
});

await run('completions streaming joins to the whole greedy answer', async () => {
  const stream = await client.completions.create({ model, prompt: PROMPT, max_tokens: 16, temperature: 0, stream: true });
  let text = '';
  let finish = null;
  for await (const chunk of stream) {
    for (const choice of chunk.choices) {
      text += choice.text ?? '';
      if (choice.finish_reason) finish = choice.finish_reason;
    }
  }
  check(finish === 'length' || finish === 'stop', `finish_reason ${finish}`);
  check(text === greedyText, `streamed ${JSON.stringify(text)} != whole ${JSON.stringify(greedyText)}`);
});

await run('streaming include_usage ends with a usage chunk', async () => {
  const stream = await client.chat.completions.create({
    model, messages: MESSAGES, max_tokens: 4, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  let last;
  for await (const chunk of stream) last = chunk;
  check(last && Array.isArray(last.choices) && last.choices.length === 0, `last chunk ${JSON.stringify(last)}`);
  checkUsage(last.usage, 'include_usage chunk');
});

await run('completions logprobs=2', async () => {
  const r = await client.completions.create({ model, prompt: PROMPT, max_tokens: 4, temperature: 0, logprobs: 2 });
  const lp = r.choices[0].logprobs;
  const n = r.usage.completion_tokens;
  check(lp && lp.tokens.length === n && lp.token_logprobs.length === n && lp.top_logprobs.length === n && lp.text_offset.length === n,
    `logprobs shape for ${n} tokens: ${JSON.stringify(lp)}`);
  check(lp.tokens.join('') === r.choices[0].text, `tokens ${JSON.stringify(lp.tokens)} do not spell ${JSON.stringify(r.choices[0].text)}`);
  for (let i = 0; i < n; ++i) {
    check(typeof lp.token_logprobs[i] === 'number' && lp.token_logprobs[i] <= 0, `token_logprobs[${i}] ${lp.token_logprobs[i]}`);
    const top = Object.values(lp.top_logprobs[i]);
    check(top.length >= 1 && top.length <= 2, `top_logprobs[${i}] ${JSON.stringify(lp.top_logprobs[i])}`);
    // Greedy: the chosen token is the most likely one.
    check(Math.max(...top) <= lp.token_logprobs[i] + 1e-4, `greedy token ${i} is not the top one: ${JSON.stringify(lp.top_logprobs[i])} vs ${lp.token_logprobs[i]}`);
  }
});

await run('echo with max_tokens 0 gives prompt logprobs', async () => {
  const r = await client.completions.create({ model, prompt: PROMPT, max_tokens: 0, echo: true, logprobs: 1 });
  const choice = r.choices[0];
  check(choice.text === PROMPT, `echoed text ${JSON.stringify(choice.text)}`);
  check(r.usage.completion_tokens === 0, `completion_tokens ${r.usage.completion_tokens}`);
  const lp = choice.logprobs;
  check(lp && lp.tokens.length >= 1 && lp.token_logprobs.length === lp.tokens.length, `logprobs ${JSON.stringify(lp)}`);
  check(lp.token_logprobs[0] === null, `the first prompt token has logprob ${lp.token_logprobs[0]} (expected null)`);
  for (let i = 1; i < lp.token_logprobs.length; ++i) {
    check(typeof lp.token_logprobs[i] === 'number' && lp.token_logprobs[i] <= 0, `prompt token_logprobs[${i}] ${lp.token_logprobs[i]}`);
  }
});

await run('chat logprobs with top_logprobs=3', async () => {
  const r = await client.chat.completions.create({ model, messages: MESSAGES, max_tokens: 4, temperature: 0, logprobs: true, top_logprobs: 3 });
  const content = r.choices[0].logprobs?.content;
  check(Array.isArray(content) && content.length === r.usage.completion_tokens, `logprobs.content ${JSON.stringify(r.choices[0].logprobs)}`);
  for (const entry of content) {
    check(typeof entry.token === 'string' && typeof entry.logprob === 'number' && entry.logprob <= 0, `entry ${JSON.stringify(entry)}`);
    check(Array.isArray(entry.bytes), `entry.bytes ${JSON.stringify(entry)}`);
    check(Array.isArray(entry.top_logprobs) && entry.top_logprobs.length === 3, `top_logprobs ${JSON.stringify(entry.top_logprobs)}`);
  }
});

await run('stop strings end the text before them (whole and streamed)', async () => {
  check(greedyText.length >= 4, `greedy text too short for a stop check: ${JSON.stringify(greedyText)}`);
  const mid = Math.floor(greedyText.length / 2);
  const stop = greedyText.slice(mid, mid + 2);
  const expected = greedyText.slice(0, greedyText.indexOf(stop));
  const r = await client.completions.create({ model, prompt: PROMPT, max_tokens: 16, temperature: 0, stop: [stop, '\u0001never'] });
  check(r.choices[0].text === expected, `stop ${JSON.stringify(stop)}: text ${JSON.stringify(r.choices[0].text)}, expected ${JSON.stringify(expected)}`);
  check(r.choices[0].finish_reason === 'stop', `finish_reason ${r.choices[0].finish_reason}`);
  const stream = await client.completions.create({ model, prompt: PROMPT, max_tokens: 16, temperature: 0, stop, stream: true });
  let text = '';
  for await (const chunk of stream) for (const choice of chunk.choices) text += choice.text ?? '';
  check(!text.includes(stop), `streamed text leaks the stop string: ${JSON.stringify(text)}`);
  check(text === expected, `streamed ${JSON.stringify(text)}, expected ${JSON.stringify(expected)}`);
});

await run('n=2 gives two indexed choices', async () => {
  const r = await client.completions.create({ model, prompt: PROMPT, max_tokens: 6, temperature: 1, seed: 7, n: 2 });
  check(r.choices.length === 2, `${r.choices.length} choices`);
  check(r.choices.map((c) => c.index).sort().join() === '0,1', `indices ${r.choices.map((c) => c.index)}`);
  const chat = await client.chat.completions.create({ model, messages: MESSAGES, max_tokens: 6, temperature: 1, seed: 7, n: 2 });
  check(chat.choices.length === 2 && chat.choices.every((c) => typeof c.message.content === 'string'), `chat choices ${JSON.stringify(chat.choices)}`);
});

await run('the same seed twice gives the same text at temperature 1', async () => {
  const ask = () => client.completions.create({ model, prompt: PROMPT, max_tokens: 12, temperature: 1, seed: 1234 });
  const [a, b] = [await ask(), await ask()];
  check(a.choices[0].text === b.choices[0].text, `${JSON.stringify(a.choices[0].text)} != ${JSON.stringify(b.choices[0].text)}`);
  const askChat = () => client.chat.completions.create({ model, messages: MESSAGES, max_tokens: 12, temperature: 1, seed: 99 });
  const [c, d] = [await askChat(), await askChat()];
  check(c.choices[0].message.content === d.choices[0].message.content, 'chat with the same seed differs');
});

await run('batched and token-id prompts give one choice per prompt', async () => {
  const r = await client.completions.create({ model, prompt: ['Once upon', 'a time'], max_tokens: 3, temperature: 0 });
  check(r.choices.length === 2 && r.choices.map((c) => c.index).sort().join() === '0,1', `choices ${JSON.stringify(r.choices)}`);
  const ids = await client.completions.create({ model, prompt: [1, 450, 1024, 2000], max_tokens: 3, temperature: 0 });
  check(ids.usage.prompt_tokens === 4 && ids.usage.completion_tokens === 3, `token-id prompt usage ${JSON.stringify(ids.usage)}`);
});

await run('max_completion_tokens bounds a chat answer', async () => {
  const r = await client.chat.completions.create({ model, messages: MESSAGES, max_completion_tokens: 3, temperature: 0 });
  check(r.usage.completion_tokens <= 3, `completion_tokens ${r.usage.completion_tokens}`);
  check(r.choices[0].finish_reason !== 'length' || r.usage.completion_tokens === 3, `finish length after ${r.usage.completion_tokens}`);
});

await run('logit_bias +100 forces one token', async () => {
  const r = await client.completions.create({ model, prompt: PROMPT, max_tokens: 3, temperature: 0, logprobs: 1, logit_bias: { 1000: 100 } });
  const tokens = r.choices[0].logprobs.tokens;
  check(tokens.length === 3 && tokens.every((t) => t === tokens[0]), `tokens ${JSON.stringify(tokens)}`);
});

await run('penalties, user and priority are accepted', async () => {
  const r = await client.chat.completions.create({
    model, messages: MESSAGES, max_tokens: 3, temperature: 0.7, top_p: 0.9, seed: 5, presence_penalty: 0.5,
    frequency_penalty: 0.5, user: 'tenant-a', top_k: 40, min_p: 0.05, repetition_penalty: 1.1, priority: 'batch',
  });
  check(r.choices.length === 1, `choices ${JSON.stringify(r.choices)}`);
});

await run('response_format json_schema gives JSON the schema accepts, streamed or not', async () => {
  const schema = {
    type: 'object', additionalProperties: false, required: ['city', 'days', 'rain'],
    properties: { city: { type: 'string', maxLength: 10 }, days: { type: 'integer', minimum: 1, maximum: 7 }, rain: { type: 'boolean' } },
  };
  const response_format = { type: 'json_schema', json_schema: { name: 'forecast', strict: true, schema } };
  const valid = (text) => {
    const value = JSON.parse(text);
    check(typeof value.city === 'string' && value.city.length <= 10, `city in ${text}`);
    check(Number.isInteger(value.days) && value.days >= 1 && value.days <= 7, `days in ${text}`);
    check(typeof value.rain === 'boolean' && Object.keys(value).length === 3, `members of ${text}`);
  };
  for (const seed of [1, 2, 3]) {
    const r = await client.chat.completions.create({ model, messages: MESSAGES, max_tokens: 200, temperature: 1, seed, response_format });
    check(r.choices[0].finish_reason === 'stop', `finish_reason ${r.choices[0].finish_reason}: ${r.choices[0].message.content}`);
    valid(r.choices[0].message.content);
  }
  const stream = await client.chat.completions.create({ model, messages: MESSAGES, max_tokens: 200, temperature: 1, seed: 4, response_format, stream: true });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
  valid(text);
  await expectTypedError(client.chat.completions.create({ model, messages: MESSAGES, response_format: {
    type: 'json_schema', json_schema: { name: 'x', schema: { type: 'string', not: { const: 'a' } } } } }),
  OpenAI.BadRequestError, 400, { param: 'response_format' });
});

await run('unknown model is a NotFoundError', async () => {
  await expectTypedError(client.completions.create({ model: 'no-such-model', prompt: PROMPT, max_tokens: 1 }),
    OpenAI.NotFoundError, 404, { code: 'model_not_found', param: 'model' });
  await expectTypedError(client.chat.completions.create({ model: 'no-such-model', messages: MESSAGES }),
    OpenAI.NotFoundError, 404, { code: 'model_not_found' });
});

await run('a bad parameter is a BadRequestError naming it', async () => {
  await expectTypedError(client.completions.create({ model, prompt: PROMPT, max_tokens: 1, temperature: 5 }),
    OpenAI.BadRequestError, 400, { param: 'temperature', type: 'invalid_request_error' });
  await expectTypedError(client.chat.completions.create({ model, messages: [] }), OpenAI.BadRequestError, 400, { param: 'messages' });
  await expectTypedError(client.completions.create({ model, prompt: PROMPT, max_tokens: 1000000 }),
    OpenAI.BadRequestError, 400, { code: 'context_length_exceeded' });
});

console.log(JSON.stringify({ passed, failed }));
if (failed.length > 0) {
  for (const f of failed) console.error(`FAILED ${f.check}: ${f.error}`);
  process.exit(1);
}
