#include "rtprov/boot/dcd.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "rtprov/util/error.hpp"

namespace rtprov::boot {
namespace {

constexpr std::uint8_t kTagWrite = 0xCC;
constexpr std::uint8_t kTagCheck = 0xCF;
constexpr std::uint8_t kTagNop = 0xC0;
constexpr std::uint8_t kTagUnlock = 0xB2;

[[noreturn]] void fail(std::string_view name, std::size_t offset, const std::string& what) {
    throw Error(ErrorCode::BadInput, fmt::format("{}: offset 0x{:X}: {}", name, offset, what));
}

bool valid_width(unsigned width) {
    return width == 1 || width == 2 || width == 4;
}

// Write and Check Data share the parameter layout: bits 2:0 width, 4:3 operation, 7:5 zero.
void check_param(std::uint8_t param, std::size_t at, std::string_view what, std::string_view name) {
    if ((param & 0xE0) != 0) {
        fail(name, at + 3,
             fmt::format("{} parameter 0x{:02X}: reserved bits 7:5 are set", what, param));
    }
    if (!valid_width(param & 7u)) {
        fail(name, at + 3,
             fmt::format("{} parameter 0x{:02X}: width {} is not 1, 2 or 4", what, param,
                         param & 7u));
    }
}

// Parses one command whose header starts at `at` and whose length `len` lies inside the DCD.
DcdCommand parse_command(const std::uint8_t* p, std::size_t at, std::size_t len,
                         std::string_view name) {
    const std::uint8_t tag = p[0];
    const std::uint8_t param = p[3];
    switch (tag) {
        case kTagWrite: {
            if (len < 4 || (len - 4) % 8 != 0) {
                fail(name, at + 1, fmt::format("Write Data length 0x{:X} is not 4 + 8 * N", len));
            }
            check_param(param, at, "Write Data", name);
            DcdWrite w{static_cast<std::uint8_t>(param & 7u),
                       static_cast<DcdWriteOp>((param >> 3) & 3u),
                       {}};
            for (std::size_t o = 4; o < len; o += 8) {
                w.entries.push_back({load_be32(p + o), load_be32(p + o + 4)});
            }
            return w;
        }
        case kTagCheck: {
            if (len != 12 && len != 16) {
                fail(name, at + 1, fmt::format("Check Data length 0x{:X} is not 12 or 16", len));
            }
            check_param(param, at, "Check Data", name);
            DcdCheck c{static_cast<std::uint8_t>(param & 7u),
                       static_cast<DcdCheckOp>((param >> 3) & 3u), load_be32(p + 4),
                       load_be32(p + 8), std::nullopt};
            if (len == 16)
                c.count = load_be32(p + 12);
            return c;
        }
        case kTagNop:
            if (len != 4)
                fail(name, at + 1, fmt::format("NOP length 0x{:X} is not 4", len));
            return DcdNop{param};
        case kTagUnlock: {
            if (len < 8 || len % 4 != 0) {
                fail(name, at + 1,
                     fmt::format("Unlock length 0x{:X} is not 8 or more in steps of 4", len));
            }
            DcdUnlock u{param, {}};
            for (std::size_t o = 4; o < len; o += 4)
                u.values.push_back(load_be32(p + o));
            return u;
        }
        default:
            fail(name, at,
                 fmt::format("unknown DCD command tag 0x{:02X} (expected 0xCC write, 0xCF check, "
                             "0xC0 nop or 0xB2 unlock)",
                             tag));
    }
}

void append_header(Bytes& out, std::uint8_t tag, std::size_t length, std::uint8_t param) {
    out.push_back(tag);
    append_be16(out, static_cast<std::uint16_t>(length));
    out.push_back(param);
}

std::uint8_t checked_param(unsigned width, unsigned op, std::string_view what) {
    if (!valid_width(width)) {
        throw Error(ErrorCode::BadInput, fmt::format("{}: width {} is not 1, 2 or 4", what, width));
    }
    return static_cast<std::uint8_t>((op << 3) | width);
}

}  // namespace

Dcd parse_dcd(ByteView data, std::string_view name) {
    if (data.size() < 4) {
        throw Error(
            ErrorCode::BadInput,
            fmt::format("{}: DCD is {} bytes, too short for its 4-byte header", name, data.size()));
    }
    const std::uint8_t* p = data.data();
    if (p[0] != kDcdTag) {
        fail(name, 0, fmt::format("DCD tag is 0x{:02X}, expected 0xD2", p[0]));
    }
    if (p[3] != 0x40 && p[3] != 0x41) {
        fail(name, 3, fmt::format("DCD version is 0x{:02X}, expected 0x40 or 0x41", p[3]));
    }
    const std::size_t length = load_be16(p + 1);
    if (length < 4)
        fail(name, 1, fmt::format("DCD length 0x{:X} is less than 4", length));
    if (length > data.size()) {
        fail(name, 1,
             fmt::format("DCD length 0x{:X} exceeds the 0x{:X} bytes available", length,
                         data.size()));
    }
    // Anything after the declared length may only be zero padding.
    const auto junk = std::find_if(data.begin() + static_cast<std::ptrdiff_t>(length), data.end(),
                                   [](std::uint8_t b) { return b != 0; });
    if (junk != data.end()) {
        const auto at = static_cast<std::size_t>(junk - data.begin());
        fail(name, at,
             fmt::format("byte 0x{:02X} after the end of the DCD (length 0x{:X}); only zero "
                         "padding may follow it",
                         *junk, length));
    }

    Dcd dcd;
    dcd.version = p[3];
    std::size_t at = 4;
    while (at < length) {
        if (length - at < 4) {
            fail(name, at,
                 fmt::format("{} bytes left before the DCD end 0x{:X}, too few for a command "
                             "header",
                             length - at, length));
        }
        const std::size_t len = load_be16(p + at + 1);
        if (len < 4 || len > length - at) {
            fail(name, at + 1,
                 fmt::format("command 0x{:02X} length 0x{:X} runs past the DCD end 0x{:X}", p[at],
                             len, length));
        }
        dcd.commands.push_back(parse_command(p + at, at, len, name));
        at += len;
    }
    return dcd;
}

Bytes serialize(const Dcd& dcd) {
    Bytes out;
    append_header(out, kDcdTag, 0, dcd.version);
    for (std::size_t i = 0; i < dcd.commands.size(); ++i) {
        const std::string what = fmt::format("DCD command {}", i + 1);
        const DcdCommand& cmd = dcd.commands[i];
        if (const auto* w = std::get_if<DcdWrite>(&cmd)) {
            const std::uint8_t param =
                checked_param(w->width, static_cast<unsigned>(w->op) & 3u, what);
            append_header(out, kTagWrite, 4 + 8 * w->entries.size(), param);
            for (const auto& e : w->entries) {
                append_be32(out, e.address);
                append_be32(out, e.value);
            }
        } else if (const auto* c = std::get_if<DcdCheck>(&cmd)) {
            const std::uint8_t param =
                checked_param(c->width, static_cast<unsigned>(c->op) & 3u, what);
            append_header(out, kTagCheck, c->count ? 16 : 12, param);
            append_be32(out, c->address);
            append_be32(out, c->mask);
            if (c->count)
                append_be32(out, *c->count);
        } else if (const auto* n = std::get_if<DcdNop>(&cmd)) {
            append_header(out, kTagNop, 4, n->param);
        } else {
            const auto& u = std::get<DcdUnlock>(cmd);
            append_header(out, kTagUnlock, 4 + 4 * u.values.size(), u.engine);
            for (std::uint32_t v : u.values)
                append_be32(out, v);
        }
    }
    if (out.size() > 0xFFFF) {
        throw Error(
            ErrorCode::BadInput,
            fmt::format("DCD is {} bytes, more than the 65535 its header can hold", out.size()));
    }
    store_be16(out.data() + 1, static_cast<std::uint16_t>(out.size()));
    return out;
}

std::string_view dcd_write_op_name(DcdWriteOp op) {
    static constexpr std::string_view kNames[] = {"WriteValue", "WriteClearBits", "ClearBitMask",
                                                  "SetBitMask"};
    return kNames[static_cast<unsigned>(op) & 3u];
}

std::string_view dcd_check_op_name(DcdCheckOp op) {
    static constexpr std::string_view kNames[] = {"CheckAllClear", "CheckAllSet", "CheckAnyClear",
                                                  "CheckAnySet"};
    return kNames[static_cast<unsigned>(op) & 3u];
}

std::string dcd_engine_name(std::uint8_t engine) {
    // HAB engine ids and labels as in SPSDK's EngineEnum (constants.py).
    static constexpr std::pair<std::uint8_t, std::string_view> kEngines[] = {
        {0x00, "ANY"},  {0x03, "SCC"},  {0x05, "RTIC"}, {0x06, "SAHARA"}, {0x0A, "CSU"},
        {0x0C, "SRTC"}, {0x1B, "DCP"},  {0x1D, "CAAM"}, {0x1E, "SNVS"},   {0x21, "OCOTP"},
        {0x22, "DTCP"}, {0x24, "HDCP"}, {0x36, "ROM"},  {0xFF, "SW"},
    };
    for (const auto& [id, label] : kEngines) {
        if (id == engine)
            return std::string(label);
    }
    return fmt::format("0x{:02X}", engine);
}

std::string describe(const DcdCommand& command) {
    if (const auto* w = std::get_if<DcdWrite>(&command)) {
        std::string range;
        if (!w->entries.empty()) {
            range = fmt::format(" (0x{:08X} .. 0x{:08X})", w->entries.front().address,
                                w->entries.back().address);
        }
        return fmt::format("Write Data: {}, {} bytes, {} write{}{}", dcd_write_op_name(w->op),
                           w->width, w->entries.size(), w->entries.size() == 1 ? "" : "s", range);
    }
    if (const auto* c = std::get_if<DcdCheck>(&command)) {
        return fmt::format("Check Data: {}, {} bytes, 0x{:08X} mask 0x{:08X}, {}",
                           dcd_check_op_name(c->op), c->width, c->address, c->mask,
                           c->count ? fmt::format("up to {} polls", *c->count) : "poll forever");
    }
    if (std::holds_alternative<DcdNop>(command))
        return "Nop";
    const auto& u = std::get<DcdUnlock>(command);
    std::string values;
    for (std::uint32_t v : u.values)
        values += fmt::format(" 0x{:08X}", v);
    return fmt::format("Unlock: {}{}", dcd_engine_name(u.engine), values);
}

}  // namespace rtprov::boot
