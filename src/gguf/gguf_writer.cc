#include "gguf/gguf_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "gguf/gguf_encoder.h"

namespace fab {
namespace {

using gguf_internal::GgufEncoder;

constexpr uint32_t kWrittenVersion = 3;
constexpr std::string_view kAlignmentKey = "general.alignment";

uint64_t AlignUp(uint64_t value, uint64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

}  // namespace

void GgufWriter::SetAlignment(size_t alignment) {
  uint32_t stored = alignment > UINT32_MAX ? 0 : static_cast<uint32_t>(alignment);  // 0 fails the check
  Add(std::string(kAlignmentKey), GgufValue::Uint32(stored));
}

void GgufWriter::Add(std::string key, GgufValue value) {
  if (key == kAlignmentKey) {
    std::optional<int64_t> alignment = value.AsInt();
    alignment_ = alignment.has_value() && *alignment > 0 ? static_cast<size_t>(*alignment) : 0;
  }
  auto found = metadata_index_.find(key);
  if (found != metadata_index_.end()) {
    metadata_[found->second].second = std::move(value);
    return;
  }
  metadata_index_.emplace(key, metadata_.size());
  metadata_.emplace_back(std::move(key), std::move(value));
}

void GgufWriter::AddTensor(std::string name, DType dtype, std::vector<int64_t> shape, std::vector<uint8_t> data) {
  tensors_.push_back({std::move(name), dtype, std::move(shape), std::move(data), nullptr});
}

void GgufWriter::AddTensor(std::string name, DType dtype, std::vector<int64_t> shape, FillFunction fill) {
  if (fill == nullptr) fill = [](uint8_t*, size_t) {};  // an empty function would mean "use data"
  tensors_.push_back({std::move(name), dtype, std::move(shape), {}, std::move(fill)});
}

Status GgufWriter::PlanTensor(const PendingTensor& tensor, Layout& layout) const {
  if (tensor.shape.empty() || tensor.shape.size() > static_cast<size_t>(kGgufMaxDims)) {
    return InvalidArgumentError("shape has " + std::to_string(tensor.shape.size()) + " dimensions, not 1..4");
  }
  int64_t n_rows = 1;
  for (size_t dim_idx = 0; dim_idx < tensor.shape.size(); ++dim_idx) {
    int64_t dim = tensor.shape[dim_idx];
    if (dim < 0) return InvalidArgumentError("dimension " + std::to_string(dim_idx) + " is negative");
    if (dim_idx > 0 && __builtin_mul_overflow(n_rows, dim, &n_rows)) return InvalidArgumentError("shape overflows");
  }
  FAB_ASSIGN_OR_RETURN(int64_t row_bytes, RowBytes(tensor.dtype, tensor.shape[0]));
  int64_t n_bytes = 0;
  if (__builtin_mul_overflow(row_bytes, n_rows, &n_bytes)) return InvalidArgumentError("byte size overflows");
  if (tensor.fill == nullptr && tensor.data.size() != static_cast<uint64_t>(n_bytes)) {
    return InvalidArgumentError("data has " + std::to_string(tensor.data.size()) + " bytes but the shape needs " +
                                std::to_string(n_bytes));
  }
  uint64_t offset = 0;
  if (!layout.offsets.empty()) offset = AlignUp(layout.offsets.back() + layout.n_bytes.back(), alignment_);
  layout.offsets.push_back(offset);
  layout.n_bytes.push_back(static_cast<uint64_t>(n_bytes));
  return OkStatus();
}

StatusOr<GgufWriter::Layout> GgufWriter::Plan() const {
  FAB_RETURN_IF_ERROR(CheckGgufAlignment(alignment_, GgufLimits{}.max_alignment));
  Layout layout;
  std::map<std::string_view, size_t> seen_names;
  for (const PendingTensor& tensor : tensors_) {
    if (tensor.name.empty()) return InvalidArgumentError("tensor with an empty name");
    if (!seen_names.emplace(tensor.name, 0).second) {
      return InvalidArgumentError("duplicate tensor name '" + tensor.name + "'");
    }
    Status status = PlanTensor(tensor, layout);
    if (!status.ok()) return status.WithContext("tensor '" + tensor.name + "'");
  }
  GgufEncoder encoder(layout.header);
  encoder.PutU32(0x46554747);  // "GGUF"
  encoder.PutU32(kWrittenVersion);
  encoder.PutU64(tensors_.size());
  encoder.PutU64(metadata_.size());
  for (const auto& [key, value] : metadata_) {
    if (key.empty()) return InvalidArgumentError("metadata key is empty");
    encoder.PutString(key);
    encoder.PutU32(static_cast<uint32_t>(value.type()));
    Status status = encoder.PutValue(value);
    if (!status.ok()) return status.WithContext("metadata '" + key + "'");
  }
  for (size_t tensor_idx = 0; tensor_idx < tensors_.size(); ++tensor_idx) {
    const PendingTensor& tensor = tensors_[tensor_idx];
    encoder.PutString(tensor.name);
    encoder.PutU32(static_cast<uint32_t>(tensor.shape.size()));
    for (int64_t dim : tensor.shape) encoder.PutU64(static_cast<uint64_t>(dim));
    encoder.PutU32(static_cast<uint32_t>(tensor.dtype));
    encoder.PutU64(layout.offsets[tensor_idx]);
  }
  encoder.PadTo(alignment_);
  return layout;
}

Status GgufWriter::EmitData(const Layout& layout, const ByteSink& sink, const ProgressFunction& progress) const {
  const std::vector<uint8_t> zeros(alignment_, 0);
  uint64_t position = 0;  // from the data section start
  for (size_t tensor_idx = 0; tensor_idx < tensors_.size(); ++tensor_idx) {
    const PendingTensor& tensor = tensors_[tensor_idx];
    FAB_RETURN_IF_ERROR(sink(zeros.data(), layout.offsets[tensor_idx] - position));
    size_t n_bytes = layout.n_bytes[tensor_idx];
    if (tensor.fill == nullptr) {
      FAB_RETURN_IF_ERROR(sink(tensor.data.data(), n_bytes));
    } else {
      std::vector<uint8_t> buffer(n_bytes);
      tensor.fill(buffer.data(), n_bytes);
      FAB_RETURN_IF_ERROR(sink(buffer.data(), n_bytes));
    }
    position = layout.offsets[tensor_idx] + n_bytes;
    if (progress != nullptr) progress(tensor_idx + 1, tensors_.size());
  }
  return sink(zeros.data(), AlignUp(position, alignment_) - position);
}

StatusOr<std::vector<uint8_t>> GgufWriter::WriteToBytes() const {
  FAB_ASSIGN_OR_RETURN(Layout layout, Plan());
  std::vector<uint8_t> bytes = std::move(layout.header);
  ByteSink append = [&bytes](const uint8_t* data, size_t n_bytes) {
    bytes.insert(bytes.end(), data, data + n_bytes);
    return OkStatus();
  };
  FAB_RETURN_IF_ERROR(EmitData(layout, append, nullptr));
  return bytes;
}

Status GgufWriter::WriteFile(const std::string& path, const ProgressFunction& progress) const {
  FAB_ASSIGN_OR_RETURN(Layout layout, Plan());
  const std::string temp_path = path + ".tmp";
  std::FILE* file = std::fopen(temp_path.c_str(), "wb");
  if (file == nullptr) {
    return FailedPreconditionError("cannot create " + temp_path + ": " + std::strerror(errno));
  }
  ByteSink write = [&](const uint8_t* data, size_t n_bytes) {
    if (n_bytes == 0 || std::fwrite(data, 1, n_bytes, file) == n_bytes) return OkStatus();
    return InternalError("cannot write " + temp_path + ": " + std::strerror(errno));
  };
  Status status = write(layout.header.data(), layout.header.size());
  if (status.ok()) status = EmitData(layout, write, progress);
  if (status.ok() && (std::fflush(file) != 0 || ::fsync(fileno(file)) != 0)) {
    status = InternalError("cannot flush " + temp_path + ": " + std::strerror(errno));
  }
  if (std::fclose(file) != 0 && status.ok()) {
    status = InternalError("cannot close " + temp_path + ": " + std::strerror(errno));
  }
  if (status.ok() && std::rename(temp_path.c_str(), path.c_str()) != 0) {
    status = InternalError("cannot rename " + temp_path + " to " + path + ": " + std::strerror(errno));
  }
  if (!status.ok()) std::remove(temp_path.c_str());
  return status;
}

}  // namespace fab
