// Raw binary reader: the file's bytes, unchanged, at a base address the user supplies.

#include <fmt/format.h>

#include "rtprov/input/formats.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::input {

MemoryImage read_binary(ByteView content, std::uint32_t base_address, const std::string& name) {
    if (content.empty())
        throw Error(ErrorCode::BadInput, fmt::format("{}: file is empty", name));
    MemoryImage image;
    image.add(base_address, content, name);
    return image;
}

}  // namespace rtprov::input
