// SB 1.x commands and file serialization (parsing: sb_parser.cpp).

#include "rtprov/sb/sb.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>
#include <mbedtls/sha1.h>

#include "rtprov/util/error.hpp"

namespace rtprov::sb {

namespace {

Command make(Tag tag, std::uint16_t flags, std::uint32_t address, std::uint32_t count,
             std::uint32_t data) {
    return Command{tag, flags, address, count, data, {}};
}

std::uint16_t swap16(std::uint16_t v) {
    return static_cast<std::uint16_t>((v >> 8) | (v << 8));
}

std::size_t blocks_of(const Section& s) {
    std::size_t n = 0;
    for (const Command& c : s.commands)
        n += 1 + c.payload.size() / kBlockSize;
    return n;
}

constexpr std::chrono::sys_days kEpoch{std::chrono::year{2000} / 1 / 1};

constexpr std::array<std::pair<std::string_view, std::uint32_t>, 9> kMemories{{
    {"internal", 0x000},
    {"semc-nor", 0x008},
    {"flexspi-nor", 0x009},
    {"semc-nand", 0x100},
    {"spi-nand", 0x101},
    {"spi-nor", 0x110},
    {"sd", 0x120},
    {"mmc", 0x121},
    {"fuse", 0x200},
}};

}  // namespace

std::optional<std::uint32_t> parse_memory_name(std::string_view name) {
    std::string n(name);
    for (char& c : n)
        c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [text, id] : kMemories) {
        if (n == text)
            return id;
    }
    return std::nullopt;
}

std::string memory_name(std::uint32_t id) {
    for (const auto& [text, value] : kMemories) {
        if (value == id)
            return std::string(text);
    }
    return fmt::format("0x{:X}", id);
}

std::uint16_t memory_flags(std::uint32_t id) {
    return static_cast<std::uint16_t>(((id & 0xFF) << 8) | (((id >> 8) & 0xF) << 4));
}

std::uint32_t memory_id(std::uint16_t flags) {
    return ((flags & 0xF0u) << 4) | ((flags & 0xFF00u) >> 8);
}

Command load(std::uint32_t address, Bytes data, std::uint32_t memory_id) {
    if (data.size() % kBlockSize != 0) {
        throw Error(ErrorCode::Usage,
                    fmt::format("LOAD at 0x{:08X}: {} bytes; SB loads are padded to a multiple "
                                "of 16",
                                address, data.size()));
    }
    Command c = make(Tag::Load, memory_flags(memory_id), address,
                     static_cast<std::uint32_t>(data.size()), crc32_mpeg2(data));
    c.payload = std::move(data);
    return c;
}

Command fill(std::uint32_t address, std::uint32_t pattern, std::uint32_t length) {
    return make(Tag::Fill, 0, address, length, pattern);
}

Command erase(std::uint32_t address, std::uint32_t length, std::uint32_t memory_id) {
    return make(Tag::Erase, memory_flags(memory_id), address, length, 0);
}

Command erase_all(std::uint32_t memory_id) {
    return make(Tag::Erase, static_cast<std::uint16_t>(memory_flags(memory_id) | kFlagEraseAll), 0,
                0, 0);
}

Command enable(std::uint32_t memory_id, std::uint32_t address, std::uint32_t size) {
    return make(Tag::MemEnable, memory_flags(memory_id), address, size, 0);
}

Command jump(std::uint32_t address, std::uint32_t argument,
             std::optional<std::uint32_t> stack_pointer) {
    return make(Tag::Jump, stack_pointer ? kFlagJumpSp : 0, address, stack_pointer.value_or(0),
                argument);
}

Command call(std::uint32_t address, std::uint32_t argument) {
    return make(Tag::Call, 0, address, 0, argument);
}

Command mode(std::uint32_t value) {
    return make(Tag::Mode, 0, 0, 0, value);
}

Command reset() {
    return make(Tag::Reset, 0, 0, 0, 0);
}

Command prog(std::uint32_t index, std::uint32_t word1, std::optional<std::uint32_t> word2,
             std::uint32_t memory_id) {
    return make(Tag::Prog,
                static_cast<std::uint16_t>(memory_flags(memory_id) | (word2 ? kFlagProg8Bytes : 0)),
                index, word1, word2.value_or(0));
}

Section flash_image_section(std::uint32_t address, ByteView image, const FlashImageOptions& o) {
    constexpr std::uint32_t kFlexspiNor = 9;
    constexpr std::uint32_t kProgramFcb = 0xF000000F;
    Section s;
    auto configure = [&](const std::vector<std::uint32_t>& words) {
        for (std::size_t i = 0; i < words.size(); ++i)
            s.commands.push_back(fill(o.scratch + static_cast<std::uint32_t>(4 * i), words[i]));
        s.commands.push_back(
            enable(kFlexspiNor, o.scratch, static_cast<std::uint32_t>(4 * words.size())));
    };
    configure({o.flash_option});
    const std::uint64_t from = o.program_fcb ? o.window : address / o.sector * o.sector;
    const std::uint64_t to = align_up(std::uint64_t{address} + image.size(), o.sector);
    s.commands.push_back(
        erase(static_cast<std::uint32_t>(from), static_cast<std::uint32_t>(to - from)));
    if (o.program_fcb)
        configure({kProgramFcb});
    if (!o.bee_option.empty())
        configure(o.bee_option);
    Bytes data(image.begin(), image.end());
    data.resize(align_up(data.size(), kBlockSize), 0);
    s.commands.push_back(load(address, std::move(data)));
    return s;
}

std::uint8_t header_checksum(ByteView block) {
    unsigned sum = 0x5A;
    for (std::size_t i = 1; i < kBlockSize && i < block.size(); ++i)
        sum += block[i];
    return static_cast<std::uint8_t>(sum);
}

std::array<std::uint8_t, kBlockSize> encode_header(const Command& c) {
    std::array<std::uint8_t, kBlockSize> b{};
    b[1] = static_cast<std::uint8_t>(c.tag);
    store_le16(&b[2], c.flags);
    store_le32(&b[4], c.address);
    store_le32(&b[8], c.count);
    store_le32(&b[12], c.data);
    b[0] = header_checksum(b);
    return b;
}

std::uint32_t crc32_mpeg2(ByteView data, std::uint32_t crc) {
    for (std::uint8_t byte : data) {
        crc ^= static_cast<std::uint32_t>(byte) << 24;
        for (int i = 0; i < 8; ++i)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    }
    return crc;
}

Bytes serialize(const SbFile& f) {
    if (f.major != 1) {
        throw Error(ErrorCode::Usage,
                    fmt::format("SB version {}.{}: rtprov writes version 1.x", f.major, f.minor));
    }
    if (f.sections.empty())
        throw Error(ErrorCode::Usage, "an SB file needs at least one section");
    bool boot_found = false;
    for (const Section& s : f.sections) {
        boot_found = boot_found || ((s.flags & kSectionBootable) && s.id == f.first_boot_section);
        for (const Command& c : s.commands) {
            if (c.payload.size() % kBlockSize != 0) {
                throw Error(ErrorCode::Usage,
                            fmt::format("section {}: LOAD at 0x{:08X} of {} bytes; SB loads are "
                                        "padded to a multiple of 16",
                                        s.id, c.address, c.payload.size()));
            }
        }
    }
    if (!boot_found) {
        throw Error(ErrorCode::Usage,
                    fmt::format("the first boot section {} is not a bootable section of the file; "
                                "the flashloader would execute nothing",
                                f.first_boot_section));
    }
    const auto count = static_cast<std::uint16_t>(f.sections.size());
    std::size_t total = kHeaderSize + count * kBlockSize + kTrailerSize;
    for (const Section& s : f.sections)
        total += (1 + blocks_of(s)) * kBlockSize;

    Bytes out(kHeaderSize, 0);
    std::uint8_t* h = out.data();
    std::copy_n("STMP", 4, h + 0x14);
    h[0x18] = f.major;
    h[0x19] = f.minor;
    store_le16(h + 0x1A, f.flags);
    store_le32(h + 0x1C, static_cast<std::uint32_t>(total / kBlockSize));
    const auto first_tag = static_cast<std::uint16_t>(kHeaderSize / kBlockSize + count);
    store_le32(h + 0x20, first_tag);
    store_le32(h + 0x24, f.first_boot_section);
    store_le16(h + 0x28, 0);          // no keys: unencrypted
    store_le16(h + 0x2A, first_tag);  // key dictionary block
    store_le16(h + 0x2C, kHeaderSize / kBlockSize);
    store_le16(h + 0x2E, count);
    store_le16(h + 0x30, 1);  // section header size in blocks
    h[0x32] = f.header_padding[0];
    h[0x33] = f.header_padding[1];
    std::copy_n("sgtl", 4, h + 0x34);
    store_le32(h + 0x38, static_cast<std::uint32_t>(f.timestamp));
    store_le32(h + 0x3C, static_cast<std::uint32_t>(f.timestamp >> 32));
    for (std::size_t i = 0; i < 3; ++i) {
        store_le16(h + 0x40 + 4 * i, swap16(f.product_version[i]));
        store_le16(h + 0x4C + 4 * i, swap16(f.component_version[i]));
    }
    store_le16(h + 0x58, f.drive_tag);
    std::copy(f.header_padding.begin() + 2, f.header_padding.end(), h + 0x5A);
    mbedtls_sha1_ret(h + 0x14, kHeaderSize - 0x14, h);

    // Section table. SPSDK counts every offset from the first section's data (after its TAG),
    // so the offsets of later sections land on their TAG; the flashloader does not read them.
    std::uint32_t offset = static_cast<std::uint32_t>(first_tag) + 1;
    for (const Section& s : f.sections) {
        const auto blocks = static_cast<std::uint32_t>(blocks_of(s));
        for (std::uint32_t v : {s.id, offset, blocks, s.flags})
            append_le32(out, v);
        offset += blocks;
    }
    std::size_t last_bootable = f.sections.size();
    for (std::size_t i = 0; i < f.sections.size(); ++i) {
        if (f.sections[i].flags & kSectionBootable)
            last_bootable = i;
    }
    for (std::size_t i = 0; i < f.sections.size(); ++i) {
        const Section& s = f.sections[i];
        const Command tag = make(Tag::Tag, i == last_bootable ? kFlagLastTag : 0, s.id,
                                 static_cast<std::uint32_t>(blocks_of(s)), s.flags);
        const auto th = encode_header(tag);
        out.insert(out.end(), th.begin(), th.end());
        for (const Command& c : s.commands) {
            const auto ch = encode_header(c);
            out.insert(out.end(), ch.begin(), ch.end());
            out.insert(out.end(), c.payload.begin(), c.payload.end());
        }
    }
    std::uint8_t sha[20];
    mbedtls_sha1_ret(out.data(), out.size(), sha);
    out.insert(out.end(), sha, sha + 20);
    out.insert(out.end(), f.trailer_padding.begin(), f.trailer_padding.end());
    return out;
}

std::string tag_name(std::uint8_t tag) {
    static constexpr std::array<std::string_view, 11> kNames = {
        "NOP", "TAG", "LOAD", "FILL", "JUMP", "CALL", "MODE", "ERASE", "RESET", "ENABLE", "PROG"};
    return tag < kNames.size() ? std::string(kNames[tag]) : fmt::format("0x{:02X}", tag);
}

std::string timestamp_text(std::uint64_t us) {
    using namespace std::chrono;
    const auto t = sys_time<microseconds>(kEpoch) + microseconds(us);
    const auto day = floor<days>(t);
    const year_month_day ymd{day};
    const hh_mm_ss hms{floor<microseconds>(t - day)};
    std::string text = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(ymd.year()),
                                   unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                                   hms.minutes().count(), hms.seconds().count());
    if (hms.subseconds().count() != 0)
        text += fmt::format(".{:06}", hms.subseconds().count());
    return text + "Z";
}

std::uint64_t parse_timestamp(std::string_view text, std::string_view what) {
    using namespace std::chrono;
    int y = 0;
    unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
    char tail = 0;
    const std::string str(text);
    const bool ok = std::sscanf(str.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u%c", &y, &mo, &d, &h, &mi, &s,
                                &tail) == 7 &&
                    tail == 'Z' && str.size() == 20;
    const year_month_day ymd{year{y}, month{mo}, day{d}};
    if (!ok || !ymd.ok() || h > 23 || mi > 59 || s > 59 || y < 2000) {
        throw Error(ErrorCode::Usage,
                    fmt::format("{} '{}': expected a UTC time YYYY-MM-DDTHH:MM:SSZ from 2000 on",
                                what, text));
    }
    const auto t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s);
    return static_cast<std::uint64_t>(duration_cast<microseconds>(t - kEpoch).count());
}

std::string version_text(const std::array<std::uint16_t, 3>& bcd) {
    return fmt::format("{:X}.{:X}.{:X}", bcd[0], bcd[1], bcd[2]);
}

std::array<std::uint16_t, 3> parse_version(std::string_view text, std::string_view what) {
    std::array<std::uint16_t, 3> out{};
    std::size_t part = 0, digits = 0;
    for (char c : text) {
        if (c == '.' && digits > 0 && part < 2) {
            ++part;
            digits = 0;
        } else if (c >= '0' && c <= '9' && digits < 3) {
            out[part] = static_cast<std::uint16_t>(out[part] << 4 | (c - '0'));
            ++digits;
        } else {
            part = 99;
            break;
        }
    }
    if (part != 2 || digits == 0) {
        throw Error(
            ErrorCode::Usage,
            fmt::format("{} '{}': expected three decimal numbers 0..999 (e.g. 1.0.0)", what, text));
    }
    return out;
}

}  // namespace rtprov::sb
