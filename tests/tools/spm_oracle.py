#!/usr/bin/python3
"""Reference SentencePiece ids for the tokenizer tests.

    spm_oracle.py MODEL.model CORPUS.jsonl

Writes one JSON object per line to stdout: first the model's vocabulary,
{"pieces": [...], "scores": [...], "types": [...]} (types numbered as
sentencepiece's ModelProto stores them: 1 normal, 2 unknown, 3 control,
4 user-defined, 5 unused, 6 byte -- the same numbers as GGUF's token_type),
then {"ids": [...]} for every corpus line (one JSON string per line), in
order, as python3-sentencepiece encodes it. Exits 2 on bad usage.
"""
import json
import struct
import sys

import sentencepiece


def read_varint(data, pos):
    value = 0
    shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def read_fields(data):
    """Yields (field number, wire type, value) for one protobuf message."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, wire, value


def read_vocabulary(model_bytes):
    """The pieces of ModelProto field 1 (SentencePiece: 1 piece, 2 score, 3 type)."""
    pieces, scores, types = [], [], []
    for field, wire, value in read_fields(model_bytes):
        if field != 1 or wire != 2:
            continue
        piece, score, piece_type = "", 0.0, 1  # proto defaults
        for sub_field, sub_wire, sub_value in read_fields(value):
            if sub_field == 1 and sub_wire == 2:
                piece = sub_value.decode("utf-8")
            elif sub_field == 2 and sub_wire == 5:
                score = struct.unpack("<f", sub_value)[0]
            elif sub_field == 3 and sub_wire == 0:
                piece_type = sub_value
        pieces.append(piece)
        scores.append(score)
        types.append(piece_type)
    return {"pieces": pieces, "scores": scores, "types": types}


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: spm_oracle.py MODEL.model CORPUS.jsonl\n")
        sys.exit(2)
    model_path, corpus_path = sys.argv[1], sys.argv[2]
    with open(model_path, "rb") as model_file:
        model_bytes = model_file.read()
    processor = sentencepiece.SentencePieceProcessor(model_proto=model_bytes)
    vocabulary = read_vocabulary(model_bytes)
    if len(vocabulary["pieces"]) != processor.GetPieceSize():
        sys.stderr.write("model file and processor disagree on the vocabulary size\n")
        sys.exit(1)
    out = [json.dumps(vocabulary, ensure_ascii=False)]
    with open(corpus_path, encoding="utf-8") as corpus:
        for number, line in enumerate(corpus, 1):
            if not line.strip():
                continue
            text = json.loads(line)
            if not isinstance(text, str):
                sys.stderr.write(f"line {number} is not a JSON string\n")
                sys.exit(2)
            out.append(json.dumps({"ids": processor.EncodeAsIds(text)}))
    sys.stdout.write("\n".join(out) + "\n")


main()
