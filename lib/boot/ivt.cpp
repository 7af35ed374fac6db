#include "rtprov/boot/ivt.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::boot {

Bytes serialize(const Ivt& ivt) {
    Bytes out{kIvtTag, 0x00, static_cast<std::uint8_t>(kIvtSize), ivt.version};
    for (std::uint32_t word :
         {ivt.entry, ivt.reserved1, ivt.dcd, ivt.boot_data, ivt.self, ivt.csf, ivt.reserved2}) {
        append_le32(out, word);
    }
    return out;
}

Bytes serialize(const BootData& bd) {
    Bytes out;
    append_le32(out, bd.start);
    append_le32(out, bd.length);
    append_le32(out, bd.plugin);
    out.resize(kBootDataSize, 0x00);
    return out;
}

bool looks_like_ivt(ByteView data) {
    return data.size() >= 4 && data[0] == kIvtTag && load_be16(&data[1]) == kIvtSize &&
           (data[3] & 0xF0) == 0x40;
}

Ivt parse_ivt(ByteView data, const std::string& where) {
    if (data.size() < kIvtSize) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: IVT truncated: {} bytes left, 32 needed", where, data.size()));
    }
    if (!looks_like_ivt(data)) {
        throw Error(ErrorCode::BadInput,
                    fmt::format("{}: not an IVT: header {:02X} {:02X} {:02X} {:02X}, expected "
                                "D1 00 20 4x",
                                where, data[0], data[1], data[2], data[3]));
    }
    Ivt ivt;
    ivt.version = data[3];
    const std::uint8_t* p = data.data() + 4;
    ivt.entry = load_le32(p);
    ivt.reserved1 = load_le32(p + 4);
    ivt.dcd = load_le32(p + 8);
    ivt.boot_data = load_le32(p + 12);
    ivt.self = load_le32(p + 16);
    ivt.csf = load_le32(p + 20);
    ivt.reserved2 = load_le32(p + 24);
    return ivt;
}

BootData parse_boot_data(ByteView data, const std::string& where) {
    if (data.size() < 12) {
        throw Error(
            ErrorCode::BadInput,
            fmt::format("{}: boot data truncated: {} bytes left, 12 needed", where, data.size()));
    }
    return BootData{load_le32(data.data()), load_le32(data.data() + 4), load_le32(data.data() + 8)};
}

}  // namespace rtprov::boot
