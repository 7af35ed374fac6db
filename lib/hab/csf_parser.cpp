// Parsing CSF bytes back into the command model of csf.hpp (for verify and info).

#include <fmt/format.h>

#include "rtprov/hab/verify.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::hab {

namespace {

Error bad(std::string message) {
    return Error(ErrorCode::BadInput, std::move(message));
}

// The fixed size of a command (the least its length field may say).
std::size_t minimum_size(std::uint8_t tag) {
    switch (static_cast<CommandTag>(tag)) {
        case CommandTag::InstallKey:
        case CommandTag::AuthenticateData:
            return 12;
        case CommandTag::Unlock:
        case CommandTag::Set:
            return 8;
        case CommandTag::Nop:
            return 4;
        case CommandTag::Init:
        case CommandTag::WriteData:
        case CommandTag::CheckData:
            return 4;
    }
    return 0;
}

Command decode(std::uint8_t tag, ByteView c, std::uint32_t offset) {
    const std::uint8_t param = c[3];
    switch (static_cast<CommandTag>(tag)) {
        case CommandTag::InstallKey: {
            InstallKey k;
            k.flags = param;
            k.certificate_format = static_cast<Format>(c[4]);
            k.hash_algorithm = static_cast<Algorithm>(c[5]);
            k.source_index = c[6];
            k.target_index = c[7];
            k.location = load_be32(c.data() + 8);
            if (param & install_key_flags::kHash)
                k.certificate_hash.assign(c.begin() + 12, c.end());
            else if (c.size() != 12)
                throw bad(
                    fmt::format("CSF: Install Key at offset 0x{:X} has length {}, expected "
                                "12",
                                offset, c.size()));
            return k;
        }
        case CommandTag::AuthenticateData: {
            if ((c.size() - 12) % 8 != 0) {
                throw bad(
                    fmt::format("CSF: Authenticate Data at offset 0x{:X} has length {}, "
                                "not 12 + 8 per block",
                                offset, c.size()));
            }
            AuthenticateData a;
            a.flags = param;
            a.key_index = c[4];
            a.signature_format = static_cast<Format>(c[5]);
            a.engine = static_cast<Engine>(c[6]);
            a.engine_config = c[7];
            a.location = load_be32(c.data() + 8);
            for (std::size_t i = 12; i < c.size(); i += 8)
                a.blocks.push_back({load_be32(c.data() + i), load_be32(c.data() + i + 4)});
            return a;
        }
        case CommandTag::Unlock: {
            Unlock u;
            u.engine = static_cast<Engine>(param);
            u.features = load_be32(c.data() + 4);
            u.uid.assign(c.begin() + 8, c.end());
            return u;
        }
        case CommandTag::Set: {
            SetEngine s;
            s.hash_algorithm = static_cast<Algorithm>(c[5]);
            s.engine = static_cast<Engine>(c[6]);
            s.engine_config = c[7];
            return s;
        }
        default:
            return Nop{};
    }
}

}  // namespace

std::string command_name(std::uint8_t tag) {
    switch (static_cast<CommandTag>(tag)) {
        case CommandTag::Set:
            return "Set";
        case CommandTag::Unlock:
            return "Unlock";
        case CommandTag::Init:
            return "Initialize";
        case CommandTag::InstallKey:
            return "Install Key";
        case CommandTag::AuthenticateData:
            return "Authenticate Data";
        case CommandTag::Nop:
            return "NOP";
        case CommandTag::WriteData:
            return "Write Data";
        case CommandTag::CheckData:
            return "Check Data";
    }
    return fmt::format("command 0x{:02X}", tag);
}

ParsedCsf parse_csf(ByteView csf) {
    if (csf.size() < 4) {
        throw bad(fmt::format("CSF truncated at offset 0x0: the header needs 4 bytes, {} remain",
                              csf.size()));
    }
    if (csf[0] != kCsfTag)
        throw bad(fmt::format("CSF: tag 0x{:02X} at offset 0, expected 0xD4", csf[0]));
    ParsedCsf out;
    out.version = csf[3];
    out.length = load_be16(csf.data() + 1);
    if (out.length < 4) {
        throw bad(fmt::format("CSF: header length 0x{:X} is shorter than the header", out.length));
    }
    if (out.length > csf.size()) {
        throw bad(
            fmt::format("CSF truncated: the header says 0x{:X} bytes of commands, the image "
                        "holds 0x{:X}",
                        out.length, csf.size()));
    }
    std::uint32_t offset = 4;
    while (offset < out.length) {
        const std::uint32_t remain = out.length - offset;
        const std::uint8_t tag = csf[offset];
        const std::size_t minimum = minimum_size(tag);
        if (minimum == 0) {
            throw bad(
                fmt::format("CSF: unknown command tag 0x{:02X} at offset 0x{:X}", tag, offset));
        }
        if (remain < minimum) {
            throw bad(
                fmt::format("CSF truncated at offset 0x{:X}: command {} needs {} bytes, {} "
                            "remain",
                            offset, command_name(tag), minimum, remain));
        }
        const std::uint32_t size = load_be16(csf.data() + offset + 1);
        if (size < minimum) {
            throw bad(
                fmt::format("CSF: command {} at offset 0x{:X} has length {}, needs at least "
                            "{}",
                            command_name(tag), offset, size, minimum));
        }
        if (size > remain) {
            throw bad(
                fmt::format("CSF truncated at offset 0x{:X}: command {} needs {} bytes, {} "
                            "remain",
                            offset, command_name(tag), size, remain));
        }
        const ByteView bytes = csf.subspan(offset, size);
        out.commands.push_back({offset, size, tag, decode(tag, bytes, offset)});
        offset += size;
    }
    return out;
}

ByteView csf_data_block(ByteView csf, std::uint32_t offset, std::uint8_t tag,
                        const std::string& what) {
    if (offset > csf.size() || csf.size() - offset < 4) {
        throw bad(fmt::format("{}: offset 0x{:X} is outside the CSF (0x{:X} bytes)", what, offset,
                              csf.size()));
    }
    const std::uint8_t* p = csf.data() + offset;
    if (p[0] != tag) {
        throw bad(fmt::format("{}: tag 0x{:02X} at CSF offset 0x{:X}, expected 0x{:02X}", what,
                              p[0], offset, tag));
    }
    const std::uint32_t length = load_be16(p + 1);
    if (length < 4 || length > csf.size() - offset) {
        throw bad(fmt::format("{}: length 0x{:X} at CSF offset 0x{:X} runs past the CSF end", what,
                              length, offset));
    }
    if (tag == kSrkTableTag && what.starts_with("SRK"))
        return csf.subspan(offset, length);
    return csf.subspan(offset + 4, length - 4);
}

std::optional<std::uint32_t> dek_blob_address(const ParsedCsf& csf) {
    for (const ParsedCommand& c : csf.commands)
        if (const auto* k = std::get_if<InstallKey>(&c.command);
            k != nullptr && k->certificate_format == Format::Blob)
            return k->location;
    return std::nullopt;
}

}  // namespace rtprov::hab
