#include "runtime/kv_pool_size.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace fab::runtime {
namespace {

using Wide = unsigned __int128;

// Digits before and after the point that a spec may carry: a pool of 10^15
// units is far past kMaxBytes, and nine decimals are beyond any need.
constexpr size_t kMaxIntegerDigits = 15;
constexpr size_t kMaxFractionDigits = 9;
constexpr size_t kMaxSpecLength = 64;

// "<integer>[.<fraction>]" as numerator / 10^n_fraction_digits.
struct Decimal {
  Wide numerator = 0;
  Wide denominator = 1;
};

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower;
}

Status SpecError(std::string_view spec, std::string_view why) {
  return InvalidArgumentError("KV pool size '" + std::string(spec) + "' " + std::string(why) +
                              " (expected tokens like 65536 or 64k, or bytes like 512MiB or 1.5GB)");
}

// Splits off the leading number; `rest` receives the unit.
StatusOr<Decimal> ParseNumber(std::string_view spec, std::string_view text, std::string_view& rest) {
  size_t i = 0, n_integer = 0, n_fraction = 0;
  Decimal number;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++n_integer) {
    number.numerator = number.numerator * 10 + static_cast<unsigned>(text[i] - '0');
  }
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++n_fraction) {
      number.numerator = number.numerator * 10 + static_cast<unsigned>(text[i] - '0');
      number.denominator *= 10;
    }
    if (n_fraction == 0) return SpecError(spec, "has a point without digits after it");
  }
  if (n_integer == 0) return SpecError(spec, "does not start with a number");
  if (n_integer > kMaxIntegerDigits || n_fraction > kMaxFractionDigits) return SpecError(spec, "is too long a number");
  rest = text.substr(i);
  return number;
}

struct Unit {
  const char* suffix;  // lower case
  bool bytes;
  Wide multiplier;
};

constexpr Wide kKi = 1024;
constexpr Unit kUnits[] = {
    // Token counts: binary multipliers, with or without the i.
    {"", false, 1},
    {"k", false, kKi},
    {"ki", false, kKi},
    {"m", false, kKi * kKi},
    {"mi", false, kKi * kKi},
    // Bytes: decimal (kB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB).
    {"b", true, 1},
    {"kb", true, 1000},
    {"mb", true, 1000 * 1000},
    {"gb", true, 1000 * 1000 * 1000},
    {"tb", true, Wide{1000} * 1000 * 1000 * 1000},
    {"kib", true, kKi},
    {"mib", true, kKi * kKi},
    {"gib", true, kKi * kKi * kKi},
    {"tib", true, kKi * kKi * kKi * kKi},
};

// ceil(a / b) or floor(a / b), b > 0.
Wide Divide(Wide a, Wide b, bool round_up) { return round_up ? (a + b - 1) / b : a / b; }

}  // namespace

StatusOr<int64_t> KvPoolBlocks(std::string_view spec, const KvPagesShape& shape, KvDType dtype, int32_t block_size) {
  if (block_size <= 0 || shape.n_layer <= 0 || shape.n_head_kv <= 0 || shape.head_dim <= 0 ||
      shape.n_layer > KvPages::kMaxDimension || shape.kv_dim() > KvPages::kMaxDimension ||
      block_size > KvPages::kMaxDimension) {
    return InvalidArgumentError("KV pool sizing needs positive, bounded block_size, n_layer, n_head_kv and head_dim");
  }
  if (dtype == KvDType::kQ8_0 && shape.head_dim % kQ8GroupSize != 0) {
    return InvalidArgumentError("q8_0 KV needs a head_dim that is a multiple of " + std::to_string(kQ8GroupSize) +
                                ", not " + std::to_string(shape.head_dim) + "; use f16");
  }
  if (spec.size() > kMaxSpecLength) return SpecError(spec.substr(0, kMaxSpecLength), "is too long");
  if (!spec.empty() && spec.front() == '-') return SpecError(spec, "is negative");
  std::string_view unit_text;
  FAB_ASSIGN_OR_RETURN(Decimal number, ParseNumber(spec, spec, unit_text));
  const std::string unit_name = Lower(unit_text);
  const Unit* unit = std::find_if(std::begin(kUnits), std::end(kUnits),
                                  [&](const Unit& u) { return unit_name == u.suffix; });
  if (unit == std::end(kUnits)) return SpecError(spec, "has an unknown unit '" + std::string(unit_text) + "'");

  // numerator < 10^24 < 2^80 and multiplier <= 2^40: the product fits 128 bits.
  const Wide amount = number.numerator * unit->multiplier;
  const Wide bytes_per_block = static_cast<Wide>(KvPages::BytesPerToken(shape, dtype)) * static_cast<Wide>(block_size);
  Wide n_blocks;
  if (unit->bytes) {
    n_blocks = Divide(amount / number.denominator, bytes_per_block, /*round_up=*/false);
  } else {
    n_blocks = Divide(Divide(amount, number.denominator, /*round_up=*/true), static_cast<Wide>(block_size),
                      /*round_up=*/true);
  }
  if (n_blocks == 0) {
    return SpecError(spec, "holds no whole block of " + std::to_string(block_size) + " tokens (" +
                               std::to_string(static_cast<uint64_t>(bytes_per_block)) + " bytes)");
  }
  if (n_blocks > static_cast<Wide>(KvPages::kMaxDimension) ||
      n_blocks * bytes_per_block > static_cast<Wide>(KvPages::kMaxBytes)) {
    return SpecError(spec, "exceeds the largest KV pool of " + std::to_string(KvPages::kMaxBytes) + " bytes and " +
                               std::to_string(KvPages::kMaxDimension) + " blocks");
  }
  return static_cast<int64_t>(n_blocks);
}

StatusOr<KvDType> ParseKvDType(std::string_view name) {
  const std::string lower = Lower(name.substr(0, kMaxSpecLength));
  for (KvDType dtype : {KvDType::kF16, KvDType::kF32, KvDType::kQ8_0}) {
    if (lower == KvDTypeName(dtype)) return dtype;
  }
  return InvalidArgumentError("unknown KV cache type '" + std::string(name.substr(0, kMaxSpecLength)) +
                              "' (expected f16, f32 or q8_0)");
}

}  // namespace fab::runtime
