#pragma once
// Value -> name tables for protocol codes (SDP commands and HAB words, MCUBoot status codes,
// commands and properties). Private to lib/proto.

#include <cstdint>
#include <string_view>

namespace rtprov::proto::detail {

struct Name {
    std::uint32_t value;
    std::string_view name;
};

// The entry for `value`, or nullptr.
template <std::size_t N>
const Name* find_name(const Name (&table)[N], std::uint32_t value) {
    for (const auto& n : table) {
        if (n.value == value)
            return &n;
    }
    return nullptr;
}

}  // namespace rtprov::proto::detail
