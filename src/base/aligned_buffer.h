// AlignedBuffer: an owned, zero-initialised, 64-byte aligned byte buffer for
// activations, KV caches and scratch. Move-only. Allocation size is the
// caller's responsibility to bound (callers validate outside sizes first).
// Buffers of kLazyBytes or more are anonymous mappings: their zero pages cost
// no memory until written, so a KV cache sized for the whole context only
// occupies what the sequence has used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <utility>

#include "base/check.h"

namespace fab {

class AlignedBuffer {
 public:
  static constexpr size_t kAlignment = 64;

  AlignedBuffer() = default;
  static constexpr size_t kLazyBytes = size_t{1} << 20;

  explicit AlignedBuffer(size_t size_bytes) : size_(size_bytes) {
    if (size_ == 0) return;
    if (size_ >= kLazyBytes) {
      void* addr = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      FAB_CHECK(addr != MAP_FAILED) << "out of memory mapping " << size_ << " bytes";
      data_ = static_cast<uint8_t*>(addr);
      return;
    }
    size_t rounded = (size_ + kAlignment - 1) / kAlignment * kAlignment;
    data_ = static_cast<uint8_t*>(std::aligned_alloc(kAlignment, rounded));
    FAB_CHECK(data_ != nullptr) << "out of memory allocating " << size_ << " bytes";
    std::memset(data_, 0, rounded);
  }
  ~AlignedBuffer() { Release(); }
  AlignedBuffer(AlignedBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& other) noexcept {
    if (this != &other) {
      Release();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  template <typename T>
  T* as() { return reinterpret_cast<T*>(data_); }
  template <typename T>
  const T* as() const { return reinterpret_cast<const T*>(data_); }

 private:
  void Release() {
    if (data_ == nullptr) return;
    if (size_ >= kLazyBytes) {
      ::munmap(data_, size_);
    } else {
      std::free(data_);
    }
  }

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace fab
