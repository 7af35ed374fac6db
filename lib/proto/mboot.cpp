// MCUBoot wire format: packets, CRC16, UART frames, USB-HID report payloads.

#include "rtprov/proto/mboot.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"

namespace rtprov::proto::mboot {

std::uint32_t Packet::status() const {
    if (params.empty()) {
        throw Error(ErrorCode::Device, fmt::format("response 0x{:02X} has no status", tag));
    }
    return params[0];
}

Packet make_command(CommandTag tag, std::vector<std::uint32_t> params, bool data_phase) {
    return Packet{static_cast<std::uint8_t>(tag),
                  static_cast<std::uint8_t>(data_phase ? kFlagDataPhase : 0), std::move(params)};
}

Packet make_generic_response(std::uint32_t status, std::uint8_t command_tag) {
    return Packet{static_cast<std::uint8_t>(ResponseTag::Generic), 0, {status, command_tag}};
}

Packet make_read_memory_response(std::uint32_t status, std::uint32_t byte_count) {
    return Packet{
        static_cast<std::uint8_t>(ResponseTag::ReadMemory), kFlagDataPhase, {status, byte_count}};
}

Packet make_property_response(std::uint32_t status, const std::vector<std::uint32_t>& values) {
    Packet p{static_cast<std::uint8_t>(ResponseTag::GetProperty), 0, {status}};
    p.params.insert(p.params.end(), values.begin(), values.end());
    return p;
}

Packet make_read_once_response(std::uint32_t status, const std::vector<std::uint32_t>& words) {
    Packet p{static_cast<std::uint8_t>(ResponseTag::FlashReadOnce),
             0,
             {status, static_cast<std::uint32_t>(4 * words.size())}};
    p.params.insert(p.params.end(), words.begin(), words.end());
    return p;
}

Bytes encode_packet(const Packet& p) {
    if (p.params.size() > kMaxParams) {
        throw Error(ErrorCode::Internal, fmt::format("packet 0x{:02X} with {} params, max {}",
                                                     p.tag, p.params.size(), kMaxParams));
    }
    Bytes b{p.tag, p.flags, 0, static_cast<std::uint8_t>(p.params.size())};
    for (std::uint32_t v : p.params)
        append_le32(b, v);
    return b;
}

Packet decode_packet(ByteView bytes) {
    if (bytes.size() < kPacketHeaderSize) {
        throw Error(
            ErrorCode::Device,
            fmt::format("packet of {} bytes, shorter than its 4-byte header", bytes.size()));
    }
    const std::size_t n = bytes[3];
    if (n > kMaxParams) {
        throw Error(ErrorCode::Device, fmt::format("packet 0x{:02X} announces {} params, max {}",
                                                   bytes[0], n, kMaxParams));
    }
    if (bytes.size() != kPacketHeaderSize + 4 * n) {
        throw Error(ErrorCode::Device,
                    fmt::format("packet of {} bytes, header says {} params ({} bytes)",
                                bytes.size(), n, kPacketHeaderSize + 4 * n));
    }
    Packet p{bytes[0], bytes[1], {}};
    for (std::size_t i = 0; i < n; ++i)
        p.params.push_back(load_le32(bytes.data() + 4 + 4 * i));
    return p;
}

std::uint16_t crc16_xmodem(ByteView data, std::uint16_t crc) {
    for (std::uint8_t byte : data) {
        crc = static_cast<std::uint16_t>(crc ^ (byte << 8));
        for (int i = 0; i < 8; ++i) {
            crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
        }
    }
    return crc;
}

std::array<std::uint8_t, 2> encode_short_frame(PacketType type) {
    return {kStartByte, static_cast<std::uint8_t>(type)};
}

Bytes encode_frame(PacketType type, ByteView payload) {
    if (type != PacketType::Command && type != PacketType::Data) {
        throw Error(ErrorCode::Internal, fmt::format("packet type 0x{:02X} has no payload",
                                                     static_cast<unsigned>(type)));
    }
    if (payload.size() > kMaxFramePayload) {
        throw Error(ErrorCode::Internal, fmt::format("frame payload of {} bytes exceeds {}",
                                                     payload.size(), kMaxFramePayload));
    }
    Bytes f(kFrameHeaderSize + payload.size());
    f[0] = kStartByte;
    f[1] = static_cast<std::uint8_t>(type);
    store_le16(f.data() + 2, static_cast<std::uint16_t>(payload.size()));
    std::copy(payload.begin(), payload.end(), f.begin() + kFrameHeaderSize);
    std::uint16_t crc = crc16_xmodem(ByteView(f.data(), 4));
    crc = crc16_xmodem(payload, crc);
    store_le16(f.data() + 4, crc);
    return f;
}

std::array<std::uint8_t, kPingResponseSize> encode_ping_response(const PingResponse& r) {
    std::array<std::uint8_t, kPingResponseSize> b{
        kStartByte, static_cast<std::uint8_t>(PacketType::PingResponse), r.bugfix, r.minor, r.major,
        r.name};
    store_le16(b.data() + 6, r.options);
    store_le16(b.data() + 8, crc16_xmodem(ByteView(b.data(), 8)));
    return b;
}

PingResponse decode_ping_response(ByteView bytes) {
    if (bytes.size() != kPingResponseSize) {
        throw Error(ErrorCode::Device,
                    fmt::format("ping response of {} bytes, expected 10", bytes.size()));
    }
    if (bytes[0] != kStartByte || bytes[1] != static_cast<std::uint8_t>(PacketType::PingResponse)) {
        throw Error(ErrorCode::Device, fmt::format("ping response starts {:02X} {:02X}, expected "
                                                   "5A A7",
                                                   bytes[0], bytes[1]));
    }
    const std::uint16_t got = load_le16(bytes.data() + 8);
    const std::uint16_t want = crc16_xmodem(bytes.first(8));
    if (got != want) {
        throw Error(ErrorCode::Device,
                    fmt::format("ping response CRC 0x{:04X}, expected 0x{:04X}", got, want));
    }
    return PingResponse{bytes[5], bytes[4], bytes[3], bytes[2], load_le16(bytes.data() + 6)};
}

FrameDecode decode_frame(ByteView buf) {
    FrameDecode r;
    if (buf.empty()) {
        r.needed = 1;
        return r;
    }
    if (buf[0] != kStartByte) {
        r.kind = FrameDecode::Kind::Junk;
        r.consumed = 1;
        return r;
    }
    if (buf.size() < 2) {
        r.needed = 1;
        return r;
    }
    const std::uint8_t type = buf[1];
    switch (static_cast<PacketType>(type)) {
        case PacketType::Ack:
        case PacketType::Nak:
        case PacketType::Abort:
        case PacketType::Ping:
            r.kind = FrameDecode::Kind::Short;
            r.type = static_cast<PacketType>(type);
            r.consumed = 2;
            return r;
        case PacketType::PingResponse:
            if (buf.size() < kPingResponseSize) {
                r.needed = kPingResponseSize - buf.size();
                return r;
            }
            r.type = PacketType::PingResponse;
            r.consumed = kPingResponseSize;
            try {
                r.ping = decode_ping_response(buf.first(kPingResponseSize));
                r.kind = FrameDecode::Kind::Ping;
            } catch (const Error& e) {
                r.kind = FrameDecode::Kind::BadCrc;
                r.error = e.message();
            }
            return r;
        case PacketType::Command:
        case PacketType::Data:
            break;
        default:
            r.kind = FrameDecode::Kind::Invalid;
            r.consumed = 2;
            r.error = fmt::format("unknown packet type 0x{:02X}", type);
            return r;
    }
    if (buf.size() < kFrameHeaderSize) {
        r.needed = kFrameHeaderSize - buf.size();
        return r;
    }
    const std::size_t len = load_le16(buf.data() + 2);
    if (len > kMaxFramePayload) {
        r.kind = FrameDecode::Kind::Invalid;
        r.consumed = 2;
        r.error = fmt::format("frame payload length {} exceeds {}", len, kMaxFramePayload);
        return r;
    }
    if (buf.size() < kFrameHeaderSize + len) {
        r.needed = kFrameHeaderSize + len - buf.size();
        return r;
    }
    r.type = static_cast<PacketType>(type);
    r.consumed = kFrameHeaderSize + len;
    const ByteView payload = buf.subspan(kFrameHeaderSize, len);
    const std::uint16_t got = load_le16(buf.data() + 4);
    const std::uint16_t want = crc16_xmodem(payload, crc16_xmodem(buf.first(4)));
    if (got != want) {
        r.kind = FrameDecode::Kind::BadCrc;
        r.error = fmt::format("frame CRC 0x{:04X}, expected 0x{:04X}", got, want);
        return r;
    }
    r.kind = FrameDecode::Kind::Frame;
    r.payload.assign(payload.begin(), payload.end());
    return r;
}

Bytes encode_hid_payload(ByteView payload) {
    if (payload.size() > kMaxFramePayload) {
        throw Error(ErrorCode::Internal, fmt::format("report payload of {} bytes exceeds {}",
                                                     payload.size(), kMaxFramePayload));
    }
    Bytes b(3 + payload.size());
    b[0] = 0;
    store_le16(b.data() + 1, static_cast<std::uint16_t>(payload.size()));
    std::copy(payload.begin(), payload.end(), b.begin() + 3);
    return b;
}

Bytes decode_hid_payload(ByteView report) {
    if (report.size() < 3) {
        throw Error(ErrorCode::Device,
                    fmt::format("HID report of {} bytes, shorter than its header", report.size()));
    }
    const std::size_t len = load_le16(report.data() + 1);
    if (3 + len > report.size()) {
        throw Error(ErrorCode::Device, fmt::format("HID report announces {} bytes but carries {}",
                                                   len, report.size() - 3));
    }
    return Bytes(report.begin() + 3, report.begin() + 3 + static_cast<std::ptrdiff_t>(len));
}

}  // namespace rtprov::proto::mboot
