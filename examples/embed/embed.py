#!/usr/bin/env python3
"""embed.py: tokenfab from Python through the C API, with ctypes only.

    embed.py MODEL PROMPT N

Prints the greedy continuation of PROMPT (at most N tokens, temperature 0)
and a newline to stdout, and nothing else: the same text
`tokenfab run -m MODEL -p PROMPT -n N --temp 0` prints after the prompt, and
the same as examples/embed/embed.c. Errors go to stderr with exit status 1.

The library is $TOKENFAB_LIB (a path) when set, else whatever
ctypes.util.find_library("tokenfab") finds, else "libtokenfab.so.0.1" on the
loader's path. The structs below mirror include/tokenfab/tokenfab.h field for
field; keep them in step with it.
"""
import ctypes
import ctypes.util
import os
import sys

RUN_CONTEXT = 2048  # `tokenfab run`'s default context
TF_OK = 0


class EngineOptions(ctypes.Structure):
    _fields_ = [("n_threads", ctypes.c_int32), ("n_ctx", ctypes.c_int64), ("kv_cache", ctypes.c_char_p),
                ("kv_dtype", ctypes.c_char_p), ("max_sequences", ctypes.c_int32), ("max_waiting", ctypes.c_int32),
                ("max_step_tokens", ctypes.c_int64)]


class ChatMessage(ctypes.Structure):
    _fields_ = [("role", ctypes.c_char_p), ("content", ctypes.c_char_p)]


class RequestOptions(ctypes.Structure):
    _fields_ = [("prompt", ctypes.c_char_p), ("prompt_tokens", ctypes.POINTER(ctypes.c_int32)),
                ("n_prompt_tokens", ctypes.c_size_t), ("messages", ctypes.POINTER(ChatMessage)),
                ("n_messages", ctypes.c_size_t), ("max_tokens", ctypes.c_int32), ("temperature", ctypes.c_float),
                ("top_k", ctypes.c_int32), ("top_p", ctypes.c_float), ("min_p", ctypes.c_float),
                ("repetition_penalty", ctypes.c_float), ("frequency_penalty", ctypes.c_float),
                ("presence_penalty", ctypes.c_float), ("penalty_last_n", ctypes.c_int32), ("seed", ctypes.c_uint64),
                ("stop", ctypes.POINTER(ctypes.c_char_p)), ("n_stop", ctypes.c_size_t),
                ("priority", ctypes.c_int32), ("ignore_eos", ctypes.c_int32)]


class Result(ctypes.Structure):
    _fields_ = [("text", ctypes.POINTER(ctypes.c_char)), ("text_length", ctypes.c_size_t),
                ("tokens", ctypes.POINTER(ctypes.c_int32)), ("n_tokens", ctypes.c_size_t),
                ("finish_reason", ctypes.c_int32), ("n_prompt_tokens", ctypes.c_int64),
                ("n_cached_prompt_tokens", ctypes.c_int64), ("time_to_first_token_s", ctypes.c_double),
                ("total_s", ctypes.c_double)]


class ModelInfo(ctypes.Structure):
    _fields_ = [("path", ctypes.c_char_p), ("name", ctypes.c_char_p), ("architecture", ctypes.c_char_p),
                ("n_vocab", ctypes.c_int64), ("n_ctx_train", ctypes.c_int64), ("has_chat_template", ctypes.c_int32)]


class TokenfabError(Exception):
    pass


def load_library():
    path = os.environ.get("TOKENFAB_LIB") or ctypes.util.find_library("tokenfab") or "libtokenfab.so.0.1"
    lib = ctypes.CDLL(path)
    handle = ctypes.c_void_p
    signatures = {
        "tf_status_name": (ctypes.c_char_p, [ctypes.c_int]),
        "tf_last_error": (ctypes.c_char_p, []),
        "tf_model_load": (ctypes.c_int, [ctypes.c_char_p, ctypes.POINTER(handle)]),
        "tf_model_free": (ctypes.c_int, [handle]),
        "tf_model_get_info": (ctypes.c_int, [handle, ctypes.POINTER(ModelInfo)]),
        "tf_tokenize": (ctypes.c_int, [handle, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int32, ctypes.c_int32,
                                       ctypes.POINTER(ctypes.POINTER(ctypes.c_int32)),
                                       ctypes.POINTER(ctypes.c_size_t)]),
        "tf_tokens_free": (None, [ctypes.POINTER(ctypes.c_int32)]),
        "tf_engine_options_default": (ctypes.c_int, [ctypes.POINTER(EngineOptions)]),
        "tf_engine_create": (ctypes.c_int, [handle, ctypes.POINTER(EngineOptions), ctypes.POINTER(handle)]),
        "tf_engine_free": (ctypes.c_int, [handle]),
        "tf_request_options_default": (ctypes.c_int, [ctypes.POINTER(RequestOptions)]),
        "tf_generate": (ctypes.c_int, [handle, ctypes.POINTER(RequestOptions), ctypes.POINTER(Result)]),
        "tf_result_free": (None, [ctypes.POINTER(Result)]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype = restype
        function.argtypes = argtypes
    return lib


def check(lib, what, status):
    if status != TF_OK:
        raise TokenfabError(f"{what}: {lib.tf_status_name(status).decode()}: "
                            f"{lib.tf_last_error().decode(errors='replace')}")


def tokenize(lib, model, prompt):
    """The prompt's token ids (a ctypes array), tokenized as `tokenfab run` does."""
    tokens = ctypes.POINTER(ctypes.c_int32)()
    n_tokens = ctypes.c_size_t()
    check(lib, "prompt", lib.tf_tokenize(model, prompt, len(prompt), 1, 1, ctypes.byref(tokens),
                                         ctypes.byref(n_tokens)))
    try:
        return (ctypes.c_int32 * n_tokens.value)(*tokens[:n_tokens.value])
    finally:
        lib.tf_tokens_free(tokens)


def generate(lib, model, prompt, n_predict):
    """The greedy continuation of `prompt` (bytes) as `tokenfab run` makes it."""
    info = ModelInfo()
    check(lib, "model info", lib.tf_model_get_info(model, ctypes.byref(info)))
    engine_options = EngineOptions()
    check(lib, "engine options", lib.tf_engine_options_default(ctypes.byref(engine_options)))
    engine_options.n_ctx = min(RUN_CONTEXT, info.n_ctx_train)
    engine_options.kv_cache = str(engine_options.n_ctx).encode()  # one sequence
    engine_options.max_sequences = 1
    engine = ctypes.c_void_p()
    check(lib, "engine", lib.tf_engine_create(model, ctypes.byref(engine_options), ctypes.byref(engine)))
    try:
        prompt_tokens = tokenize(lib, model, prompt)
        n_prompt = len(prompt_tokens)
        room = engine_options.n_ctx - n_prompt
        if n_prompt == 0 or room < 1:
            raise TokenfabError(f"the prompt has {n_prompt} tokens, which leaves no room in a context of "
                                f"{engine_options.n_ctx}")
        options = RequestOptions()
        check(lib, "request options", lib.tf_request_options_default(ctypes.byref(options)))
        options.prompt_tokens = prompt_tokens
        options.n_prompt_tokens = n_prompt
        if n_predict == 0:
            return b""
        options.max_tokens = min(n_predict, room)
        options.temperature = 0.0
        result = Result()
        check(lib, "generate", lib.tf_generate(engine, ctypes.byref(options), ctypes.byref(result)))
        text = ctypes.string_at(result.text, result.text_length)
        lib.tf_result_free(ctypes.byref(result))
        return text
    finally:
        lib.tf_engine_free(engine)


def main(argv):
    if len(argv) != 4:
        print(f"usage: {argv[0]} MODEL PROMPT N", file=sys.stderr)
        return 1
    try:
        n_predict = int(argv[3])
        if n_predict < 0:
            raise ValueError
    except ValueError:
        print(f'embed.py: N must be a count of tokens, not "{argv[3]}"', file=sys.stderr)
        return 1
    try:
        lib = load_library()
    except OSError as error:
        print(f"embed.py: cannot load the tokenfab library: {error}", file=sys.stderr)
        return 1
    model = ctypes.c_void_p()
    try:
        # Arguments as the bytes the command line gave (what a C program sees).
        check(lib, "load", lib.tf_model_load(os.fsencode(argv[1]), ctypes.byref(model)))
        text = generate(lib, model, os.fsencode(argv[2]), n_predict)
    except TokenfabError as error:
        print(f"embed.py: {error}", file=sys.stderr)
        return 1
    finally:
        lib.tf_model_free(model)
    sys.stdout.buffer.write(text + b"\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
