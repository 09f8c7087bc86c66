// The browser UI files (web/assets/), compiled into the binary by embed_assets.cmake:
// static serving looks names up here, so only these names exist (no file system path).
#pragma once

#include <span>
#include <string_view>

namespace sipscope::web {

struct EmbeddedAsset {
  std::string_view name;  // "app.js"
  std::string_view bytes;
};

[[nodiscard]] std::span<const EmbeddedAsset> embedded_assets();

}  // namespace sipscope::web
