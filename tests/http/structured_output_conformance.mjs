// Structured-output conformance: for every JSON Schema of the given corpus
// files, asks a running `tokenfab serve` for N completions constrained by it
// (response_format json_schema, temperature 1, one request with n = N) and
// validates each answer that stopped with ajv (draft 2020-12, ajv-formats).
//   node tests/http/structured_output_conformance.mjs <base URL> <model> <N> <corpus.json>...
// A corpus file is a JSON array of {"source", "schema"}. A schema is either
// compiled (every stopped answer must validate) or refused with a 400 naming
// response_format (never silently ignored); one ajv cannot read (remote
// refs) must be refused. Prints one JSON summary line, with a count per
// corpus file, and exits 1 when an answer failed validation or a request
// failed otherwise.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const [baseUrl, model, nArg, ...corpora] = process.argv.slice(2);
if (!baseUrl || !model || !nArg || corpora.length === 0) {
  console.error('usage: structured_output_conformance.mjs <base URL> <model> <N> <corpus.json>...');
  process.exit(2);
}
const n = Number(nArg);
let Ajv2020, addFormats;
try {
  const require = createRequire(new URL('../tools/package.json', import.meta.url));
  Ajv2020 = require('ajv/dist/2020').default;
  addFormats = require('ajv-formats');
} catch (error) {
  console.error(`cannot load ajv / ajv-formats from tests/tools/node_modules: ${error.message}`);
  process.exit(2);
}

const summary = { schemas: 0, compiled: 0, refused: 0, completions: 0, valid: 0, cut_by_max_tokens: 0, invalid: [], errors: [], per_corpus: {} };
for (const file of corpora) {
  const corpus = { schemas: 0, compiled: 0, completions: 0, cut_by_max_tokens: 0 };
  summary.per_corpus[file.split('/').pop()] = corpus;
  for (const { source, schema } of JSON.parse(readFileSync(file, 'utf8'))) {
    summary.schemas += 1;
    corpus.schemas += 1;
    const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: true });
    addFormats(ajv);
    let validate = null;
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      validate = null;  // the server must refuse it: nothing could check its answers
    }
    const response = await fetch(`${baseUrl}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model, prompt: 'Answer in JSON:', max_tokens: 400, temperature: 1, seed: summary.schemas, n,
        response_format: { type: 'json_schema', json_schema: { name: 'conformance', strict: true, schema } },
      }),
    });
    const body = await response.json();
    if (response.status === 400) {
      if (body?.error?.param !== 'response_format') summary.errors.push({ source, error: `400 naming ${body?.error?.param}` });
      summary.refused += 1;
      continue;
    }
    if (response.status !== 200) {
      summary.errors.push({ source, error: `HTTP ${response.status}: ${JSON.stringify(body)}` });
      continue;
    }
    if (validate === null) {
      summary.errors.push({ source, error: 'compiled a schema the validator cannot read' });
      continue;
    }
    summary.compiled += 1;
    corpus.compiled += 1;
    for (const choice of body.choices) {
      summary.completions += 1;
      corpus.completions += 1;
      if (choice.finish_reason !== 'stop') {
        summary.cut_by_max_tokens += 1;
        corpus.cut_by_max_tokens += 1;
        continue;
      }
      let value;
      try {
        value = JSON.parse(choice.text);
      } catch (error) {
        summary.invalid.push({ source, text: choice.text, error: `not JSON: ${error.message}` });
        continue;
      }
      if (validate(value)) {
        summary.valid += 1;
      } else {
        summary.invalid.push({ source, text: choice.text, error: ajv.errorsText(validate.errors) });
      }
    }
  }
}
console.log(JSON.stringify(summary));
process.exit(summary.invalid.length > 0 || summary.errors.length > 0 ? 1 : 0);
