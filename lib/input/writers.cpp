// Intel HEX, S-record and ELF32 writers. Each output reads back through the matching reader as the
// same image (segments and entry point).

#include <algorithm>

#include <fmt/format.h>

#include "rtprov/input/formats.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::input {

namespace {

constexpr std::size_t kBytesPerRecord = 16;

void append_hex(std::string& out, ByteView bytes) {
    for (std::uint8_t b : bytes)
        out += fmt::format("{:02X}", b);
}

unsigned sum_of(ByteView bytes) {
    unsigned sum = 0;
    for (std::uint8_t b : bytes)
        sum += b;
    return sum;
}

void ihex_record(std::string& out, std::uint16_t offset, std::uint8_t type, ByteView data) {
    Bytes rec{static_cast<std::uint8_t>(data.size()), static_cast<std::uint8_t>(offset >> 8),
              static_cast<std::uint8_t>(offset), type};
    rec.insert(rec.end(), data.begin(), data.end());
    rec.push_back(static_cast<std::uint8_t>(0x100 - (sum_of(rec) & 0xFF)));
    out += ':';
    append_hex(out, rec);
    out += '\n';
}

void srec_record(std::string& out, int type, std::uint32_t address, std::size_t address_size,
                 ByteView data) {
    Bytes rec{static_cast<std::uint8_t>(address_size + data.size() + 1)};
    for (std::size_t i = address_size; i-- > 0;) {
        rec.push_back(static_cast<std::uint8_t>(address >> (8 * i)));
    }
    rec.insert(rec.end(), data.begin(), data.end());
    rec.push_back(static_cast<std::uint8_t>(~sum_of(rec)));
    out += fmt::format("S{}", type);
    append_hex(out, rec);
    out += '\n';
}

}  // namespace

std::string write_ihex(const MemoryImage& image) {
    std::string out;
    std::optional<std::uint16_t> upper;  // upper address bits set by the last type 04 record
    for (const auto& segment : image.segments()) {
        const ByteView data(segment.data);
        for (std::size_t pos = 0; pos < data.size();) {
            const auto address = static_cast<std::uint32_t>(segment.address + pos);
            const auto high = static_cast<std::uint16_t>(address >> 16);
            if (upper != high) {
                const std::uint8_t be[2] = {static_cast<std::uint8_t>(high >> 8),
                                            static_cast<std::uint8_t>(high)};
                ihex_record(out, 0, 0x04, be);
                upper = high;
            }
            // A record may not cross a 64 KiB boundary.
            const std::size_t n = std::min(
                {kBytesPerRecord, data.size() - pos, std::size_t{0x10000} - (address & 0xFFFF)});
            ihex_record(out, static_cast<std::uint16_t>(address), 0x00, data.subspan(pos, n));
            pos += n;
        }
    }
    if (image.entry_point) {
        std::uint8_t be[4];
        store_be32(be, *image.entry_point);
        ihex_record(out, 0, 0x05, be);
    }
    ihex_record(out, 0, 0x01, {});
    return out;
}

std::string write_srec(const MemoryImage& image) {
    std::string out;
    constexpr std::string_view kHeader = "rtprov";
    srec_record(out, 0, 0, 2,
                ByteView(reinterpret_cast<const std::uint8_t*>(kHeader.data()), kHeader.size()));
    std::uint32_t records = 0;
    for (const auto& segment : image.segments()) {
        const ByteView data(segment.data);
        for (std::size_t pos = 0; pos < data.size(); pos += kBytesPerRecord) {
            const std::size_t n = std::min(kBytesPerRecord, data.size() - pos);
            srec_record(out, 3, static_cast<std::uint32_t>(segment.address + pos), 4,
                        data.subspan(pos, n));
            ++records;
        }
    }
    // The count record is optional; write it whenever the count fits S5 or S6.
    if (records <= 0xFFFF) {
        srec_record(out, 5, records, 2, {});
    } else if (records <= 0xFFFFFF) {
        srec_record(out, 6, records, 3, {});
    }
    srec_record(out, 7, image.entry_point.value_or(0), 4, {});
    return out;
}

Bytes write_elf(const MemoryImage& image) {
    constexpr std::size_t kHeaderSize = 52;
    constexpr std::size_t kProgramHeaderSize = 32;
    constexpr std::uint32_t kAlign = 4;
    const auto& segments = image.segments();
    if (segments.size() > 0xFFFF) {
        throw Error(
            ErrorCode::BadInput,
            fmt::format("image has {} segments; an ELF file holds at most 65535", segments.size()));
    }
    const auto phnum = static_cast<std::uint16_t>(segments.size());

    Bytes out(kHeaderSize + phnum * kProgramHeaderSize, 0);
    const std::uint8_t ident[] = {0x7F, 'E', 'L', 'F', 1 /* ELFCLASS32 */, 1 /* LSB */, 1};
    std::copy(std::begin(ident), std::end(ident), out.begin());
    store_le16(&out[0x10], 2);   // ET_EXEC
    store_le16(&out[0x12], 40);  // EM_ARM
    store_le32(&out[0x14], 1);   // EV_CURRENT
    store_le32(&out[0x18], image.entry_point.value_or(0));
    store_le32(&out[0x1C], phnum == 0 ? 0 : static_cast<std::uint32_t>(kHeaderSize));
    store_le32(&out[0x24], 0x05000000);  // EF_ARM_EABI_VER5, as GCC writes
    store_le16(&out[0x28], static_cast<std::uint16_t>(kHeaderSize));
    store_le16(&out[0x2A], static_cast<std::uint16_t>(kProgramHeaderSize));
    store_le16(&out[0x2C], phnum);

    for (std::size_t i = 0; i < segments.size(); ++i) {
        const Segment& s = segments[i];
        // Loadable segments need p_offset congruent to p_vaddr modulo p_align.
        const std::uint64_t offset = align_up(out.size(), kAlign) + s.address % kAlign;
        if (offset + s.data.size() > 0xFFFFFFFFu) {
            throw Error(ErrorCode::BadInput, "image is too large for an ELF32 file (over 4 GiB)");
        }
        out.resize(static_cast<std::size_t>(offset), 0);
        out.insert(out.end(), s.data.begin(), s.data.end());
        std::uint8_t* ph = &out[kHeaderSize + i * kProgramHeaderSize];
        const auto size = static_cast<std::uint32_t>(s.data.size());
        store_le32(ph + 0, 1);  // PT_LOAD
        store_le32(ph + 4, static_cast<std::uint32_t>(offset));
        store_le32(ph + 8, s.address);
        store_le32(ph + 12, s.address);
        store_le32(ph + 16, size);
        store_le32(ph + 20, size);
        store_le32(ph + 24, 7);  // PF_R | PF_W | PF_X
        store_le32(ph + 28, kAlign);
    }
    return out;
}

}  // namespace rtprov::input
