// Validates events against NVIDIA's DSX Flex schemas with ajv:
//   node dsx_schema_check.mjs SCHEMA.json CASES.json
// SCHEMA.json is tests/data/dsx-flex/dsx-flex.yaml as JSON; CASES.json is
// [{"name", "schema": "<components.schemas key>", "event": {...}, "valid": bool}].
// Prints {"passed": [...], "failed": [...]}: a case fails when ajv's verdict
// differs from "valid" (with ajv's errors). Exits 1 when any case failed.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../tools/package.json', import.meta.url));
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats');

const [schemaPath, casesPath] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('double', true);
ajv.addSchema({ $id: 'dsx-flex', components: doc.components });
const passed = [];
const failed = [];
for (const c of JSON.parse(readFileSync(casesPath, 'utf8'))) {
  const validate = ajv.getSchema(`dsx-flex#/components/schemas/${c.schema}`);
  const ok = validate(c.event);
  if (ok === c.valid) {
    passed.push(c.name);
  } else {
    failed.push({ name: c.name, expected: c.valid, errors: validate.errors });
  }
}
console.log(JSON.stringify({ passed, failed }));
process.exit(failed.length === 0 ? 0 : 1);
