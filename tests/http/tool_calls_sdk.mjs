// Tool calls through the official `openai` npm SDK against a running
// `tokenfab serve` of a random-weight model whose chat template writes a
// family's tool-call format (Llama 3.x JSON, Qwen3 <tool_call>, Mistral
// [TOOL_CALLS]). Checks, each on several seeds:
//   required    tool_choice "required": finish_reason "tool_calls", and every
//               call's arguments validate against its tool's schema (ajv 2020-12);
//   named       a named function is the one called;
//   single      parallel_tool_calls false gives exactly one call;
//   parallel    parallel calls allowed: some answer holds two or more
//               (skipped for families whose template allows one per turn);
//   stream      the streamed deltas (id and name first, then argument
//               fragments) add up to the non-streamed answer's calls;
//   round trip  the call and a role "tool" result go back through the template;
//   auto        tool_choice "auto": calls, when made, validate too;
//   auto with response_format: calls, or an answer that validates against it.
//   node tests/http/tool_calls_sdk.mjs <base URL> <model> <max calls per turn, 0: any>
// Prints {"passed":[…],"failed":[{"check","error"}],"calls":N} and exits 1 when a check failed.
import { createRequire } from 'node:module';

const [baseUrl, model, maxCallsArg] = process.argv.slice(2);
if (!baseUrl || !model || maxCallsArg === undefined) {
  console.error('usage: tool_calls_sdk.mjs <base URL> <model> <max calls per turn>');
  process.exit(2);
}
const maxCalls = Number(maxCallsArg);
let OpenAI, Ajv2020;
try {
  const require = createRequire(new URL('../tools/package.json', import.meta.url));
  OpenAI = require('openai');
  Ajv2020 = require('ajv/dist/2020').default;
} catch (error) {
  console.error(`cannot load openai / ajv from tests/tools/node_modules: ${error.message}`);
  process.exit(2);
}

const client = new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 120_000 });
const TOOLS = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string', maxLength: 12 },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', minimum: 1, maximum: 7 } },
      required: ['city', 'unit', 'days'], additionalProperties: false } } },
  { type: 'function', function: { name: 'get_time', description: 'Time in a zone',
    parameters: { type: 'object', properties: { zone: { type: 'string', maxLength: 8 } }, required: ['zone'],
      additionalProperties: false } } },
];
const MESSAGES = [{ role: 'user', content: 'What is the weather in Seoul?' }];
const ajv = new Ajv2020({ strict: false });
const validators = Object.fromEntries(TOOLS.map((tool) => [tool.function.name, ajv.compile(tool.function.parameters)]));

const passed = [];
const failed = [];
let nCalls = 0;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function checkCalls(calls, where) {
  check(Array.isArray(calls) && calls.length > 0, `${where}: no tool_calls`);
  if (maxCalls > 0) check(calls.length <= maxCalls, `${where}: ${calls.length} calls, the template allows ${maxCalls}`);
  for (const call of calls) {
    check(call.type === 'function' && typeof call.id === 'string' && call.id.length > 0, `${where}: ${JSON.stringify(call)}`);
    const validate = validators[call.function.name];
    check(validate, `${where}: unknown tool ${call.function.name}`);
    let args;
    try {
      args = JSON.parse(call.function.arguments);
    } catch (error) {
      throw new Error(`${where}: arguments are not JSON: ${call.function.arguments}`);
    }
    check(validate(args), `${where}: ${call.function.arguments} fails ${call.function.name}'s schema: ${ajv.errorsText(validate.errors)}`);
    nCalls += 1;
  }
}

async function ask(extra, seed) {
  return client.chat.completions.create({ model, messages: MESSAGES, tools: TOOLS, max_tokens: 800, temperature: 1, seed, ...extra });
}

async function run(name, body) {
  try {
    await body();
    passed.push(name);
  } catch (error) {
    failed.push({ check: name, error: String(error?.message ?? error) });
  }
}

const SEEDS = [1, 2, 3];

await run('required', async () => {
  for (const seed of SEEDS) {
    const answer = await ask({ tool_choice: 'required' }, seed);
    const choice = answer.choices[0];
    check(choice.finish_reason === 'tool_calls', `seed ${seed}: finish_reason ${choice.finish_reason}: ${JSON.stringify(choice.message)}`);
    checkCalls(choice.message.tool_calls, `seed ${seed}`);
  }
});

await run('named', async () => {
  for (const seed of SEEDS) {
    const answer = await ask({ tool_choice: { type: 'function', function: { name: 'get_time' } } }, seed);
    const calls = answer.choices[0].message.tool_calls;
    checkCalls(calls, `seed ${seed}`);
    check(calls.every((call) => call.function.name === 'get_time'), `seed ${seed}: ${JSON.stringify(calls)}`);
  }
});

await run('single', async () => {
  for (const seed of SEEDS) {
    const answer = await ask({ tool_choice: 'required', parallel_tool_calls: false }, seed);
    const calls = answer.choices[0].message.tool_calls;
    checkCalls(calls, `seed ${seed}`);
    check(calls.length === 1, `seed ${seed}: ${calls.length} calls with parallel_tool_calls false`);
  }
});

if (maxCalls !== 1) {
  await run('parallel', async () => {
    let most = 0;
    for (let seed = 1; seed <= 16 && most < 2; ++seed) {
      const answer = await ask({ tool_choice: 'required', parallel_tool_calls: true }, seed);
      checkCalls(answer.choices[0].message.tool_calls, `seed ${seed}`);
      most = Math.max(most, answer.choices[0].message.tool_calls.length);
    }
    check(most >= 2, `no answer in 16 held two calls (most: ${most})`);
  });
}

await run('stream', async () => {
  for (const seed of SEEDS) {
    const whole = (await ask({ tool_choice: 'required' }, seed)).choices[0].message.tool_calls;
    const stream = await ask({ tool_choice: 'required', stream: true }, seed);
    const calls = [];
    let finish = null;
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        if (choice.finish_reason) finish = choice.finish_reason;
        for (const piece of choice.delta?.tool_calls ?? []) {
          if (piece.id) {
            check(!calls[piece.index], `seed ${seed}: call ${piece.index} announced twice`);
            calls[piece.index] = { id: piece.id, type: 'function', function: { name: piece.function.name, arguments: '' } };
          }
          check(calls[piece.index], `seed ${seed}: a fragment of call ${piece.index} before its name`);
          calls[piece.index].function.arguments += piece.function?.arguments ?? '';
        }
      }
    }
    check(finish === 'tool_calls', `seed ${seed}: streamed finish_reason ${finish}`);
    checkCalls(calls, `seed ${seed} streamed`);
    check(JSON.stringify(calls.map((c) => c.function)) === JSON.stringify(whole.map((c) => c.function)),
      `seed ${seed}: streamed ${JSON.stringify(calls)} vs whole ${JSON.stringify(whole)}`);
  }
});

await run('round trip', async () => {
  const first = await ask({ tool_choice: 'required', parallel_tool_calls: false }, 4);
  const message = first.choices[0].message;
  checkCalls(message.tool_calls, 'first turn');
  const messages = [...MESSAGES, { role: 'assistant', content: null, tool_calls: message.tool_calls },
    ...message.tool_calls.map((call) => ({ role: 'tool', tool_call_id: call.id, content: '{"temperature": 18}' }))];
  const second = await client.chat.completions.create({ model, messages, tools: TOOLS, max_tokens: 16, temperature: 0 });
  check(second.choices[0].message.role === 'assistant', JSON.stringify(second.choices[0]));
  check(second.usage.prompt_tokens > first.usage.prompt_tokens, `the tool turn did not lengthen the prompt: ${second.usage.prompt_tokens} vs ${first.usage.prompt_tokens}`);
});

await run('auto', async () => {
  for (const seed of SEEDS) {
    const answer = await ask({ tool_choice: 'auto', max_tokens: 60 }, seed);
    const choice = answer.choices[0];
    if (choice.finish_reason === 'tool_calls') checkCalls(choice.message.tool_calls, `seed ${seed}`);
    else check(!choice.message.tool_calls, `seed ${seed}: calls with finish_reason ${choice.finish_reason}`);
  }
});

await run('auto with response_format', async () => {
  const schema = { type: 'object', properties: { answer: { type: 'string', maxLength: 16 } }, required: ['answer'], additionalProperties: false };
  const validate = ajv.compile(schema);
  for (const seed of SEEDS) {
    const answer = await ask({ tool_choice: 'auto', response_format: { type: 'json_schema', json_schema: { name: 'reply', strict: true, schema } } }, seed);
    const choice = answer.choices[0];
    if (choice.finish_reason === 'tool_calls') {
      checkCalls(choice.message.tool_calls, `seed ${seed}`);
    } else {
      check(choice.finish_reason === 'stop', `seed ${seed}: finish_reason ${choice.finish_reason}`);
      check(validate(JSON.parse(choice.message.content)), `seed ${seed}: ${choice.message.content} fails the response_format schema`);
    }
  }
});

console.log(JSON.stringify({ passed, failed, calls: nCalls }));
process.exit(failed.length === 0 ? 0 : 1);
