#include "rtprov/hab/csf.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::hab {
namespace {

constexpr std::uint8_t kSetItemEngine = 0x03;

template <typename... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
// Spelled out for clang 14, which lacks C++20's deduction for aggregates.
template <typename... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

void append_header(Bytes& out, std::uint8_t tag, std::size_t length, std::uint8_t param) {
    if (length > 0xFFFF)
        throw Error(ErrorCode::Internal, fmt::format("HAB block of {} bytes is too long", length));
    out.push_back(tag);
    append_be16(out, static_cast<std::uint16_t>(length));
    out.push_back(param);
}

std::uint8_t u8(auto value) {
    return static_cast<std::uint8_t>(value);
}

}  // namespace

bool unlock_needs_uid(Engine engine, std::uint32_t features) {
    return engine == Engine::Ocotp && (features & 0xDu) != 0;
}

bool set_unlock_uid(Unlock& unlock, std::uint64_t uid) {
    unlock.uid.clear();
    if (!unlock_needs_uid(unlock.engine, unlock.features))
        return false;
    append_be32(unlock.uid, static_cast<std::uint32_t>(uid >> 32));
    append_be32(unlock.uid, static_cast<std::uint32_t>(uid));
    return true;
}

std::size_t command_size(const Command& command) {
    return std::visit(Overloaded{
                          [](const InstallKey& c) { return 12 + c.certificate_hash.size(); },
                          [](const AuthenticateData& c) { return 12 + 8 * c.blocks.size(); },
                          [](const Unlock& c) { return 8 + c.uid.size(); },
                          [](const SetEngine&) -> std::size_t { return 8; },
                          [](const Nop&) -> std::size_t { return 4; },
                      },
                      command);
}

Bytes serialize_command(const Command& command) {
    Bytes out;
    const std::size_t size = command_size(command);
    std::visit(Overloaded{
                   [&](const InstallKey& c) {
                       append_header(out, u8(CommandTag::InstallKey), size, c.flags);
                       out.push_back(u8(c.certificate_format));
                       out.push_back(u8(c.hash_algorithm));
                       out.push_back(c.source_index);
                       out.push_back(c.target_index);
                       append_be32(out, c.location);
                       out.insert(out.end(), c.certificate_hash.begin(), c.certificate_hash.end());
                   },
                   [&](const AuthenticateData& c) {
                       append_header(out, u8(CommandTag::AuthenticateData), size, c.flags);
                       out.push_back(c.key_index);
                       out.push_back(u8(c.signature_format));
                       out.push_back(u8(c.engine));
                       out.push_back(c.engine_config);
                       append_be32(out, c.location);
                       for (const Block& b : c.blocks) {
                           append_be32(out, b.address);
                           append_be32(out, b.length);
                       }
                   },
                   [&](const Unlock& c) {
                       append_header(out, u8(CommandTag::Unlock), size, u8(c.engine));
                       append_be32(out, c.features);
                       out.insert(out.end(), c.uid.begin(), c.uid.end());
                   },
                   [&](const SetEngine& c) {
                       append_header(out, u8(CommandTag::Set), size, kSetItemEngine);
                       out.push_back(0);
                       out.push_back(u8(c.hash_algorithm));
                       out.push_back(u8(c.engine));
                       out.push_back(c.engine_config);
                   },
                   [&](const Nop&) { append_header(out, u8(CommandTag::Nop), size, 0); },
               },
               command);
    return out;
}

Bytes serialize_csf(const Csf& csf) {
    std::size_t length = kCommandHeaderSize;
    for (const Command& c : csf.commands)
        length += command_size(c);
    Bytes out;
    out.reserve(length);
    append_header(out, kCsfTag, length, csf.version);
    for (const Command& c : csf.commands) {
        const Bytes cmd = serialize_command(c);
        out.insert(out.end(), cmd.begin(), cmd.end());
    }
    return out;
}

namespace {

Bytes make_block(std::uint8_t tag, ByteView payload, std::uint8_t version) {
    Bytes out;
    out.reserve(kCommandHeaderSize + payload.size());
    append_header(out, tag, kCommandHeaderSize + payload.size(), version);
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

}  // namespace

Bytes make_certificate_block(ByteView der, std::uint8_t version) {
    return make_block(kCertificateTag, der, version);
}

Bytes make_signature_block(ByteView cms_der, std::uint8_t version) {
    return make_block(kSignatureTag, cms_der, version);
}

Bytes make_mac_block(ByteView nonce, ByteView mac, std::uint8_t version) {
    Bytes payload{0, u8(nonce.size()), 0, u8(mac.size())};
    payload.insert(payload.end(), nonce.begin(), nonce.end());
    payload.insert(payload.end(), mac.begin(), mac.end());
    return make_block(kMacTag, payload, version);
}

}  // namespace rtprov::hab
