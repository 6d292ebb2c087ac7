// The static files of the arena and leaderboard pages (web/ in the source
// tree), built into the binary by cmake/embed_web.cmake so that `tokenfab
// serve` needs no files beside it. Immutable; any thread.
#pragma once

#include <cstddef>
#include <string_view>

namespace fab::arena {

struct WebAsset {
  std::string_view name;          // "arena.html": its path under web/
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view bytes;
};

// The asset named `name` (no leading '/'), or nullptr.
const WebAsset* FindWebAsset(std::string_view name);

// The generated table (web_assets_data.cc in the build tree).
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

}  // namespace fab::arena
