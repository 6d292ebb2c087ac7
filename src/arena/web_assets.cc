#include "arena/web_assets.h"

namespace fab::arena {

const WebAsset* FindWebAsset(std::string_view name) {
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    if (kWebAssets[i].name == name) return &kWebAssets[i];
  }
  return nullptr;
}

}  // namespace fab::arena
