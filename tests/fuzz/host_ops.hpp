#pragma once
// The client calls the host-side targets make for each operation code of the input layout
// (protocol_fuzz.hpp); the seed generator calls the same functions, so a recorded exchange
// replays as the same calls.

#include "protocol_fuzz.hpp"
#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/proto/sdp_client.hpp"

namespace rtprov::fuzz {

inline const Bytes& host_payload() {
    static const Bytes payload = [] {
        Bytes b(2100);
        for (std::size_t i = 0; i < b.size(); ++i)
            b[i] = static_cast<std::uint8_t>(i * 7 + 3);
        return b;
    }();
    return payload;
}

inline ByteView payload_of(std::uint32_t count) {
    return ByteView(host_payload()).first(count % host_payload().size());
}

inline constexpr std::uint8_t kSdpOpCount = 8;

inline void run_sdp_op(proto::SdpClient& client, const HostOperation& op) {
    const std::uint32_t a = op.address;
    switch (op.op % kSdpOpCount) {
        case 0:
            (void)client.error_status();
            break;
        case 1:
            (void)client.read_register(a, op.arg & 0x3FF,
                                       static_cast<std::uint8_t>(8 << (op.arg >> 12 & 3)));
            break;
        case 2:
            client.write_register(a, op.arg);
            break;
        case 3:
            client.write_file(a, payload_of(op.arg & 0xFFF));
            break;
        case 4:
            client.write_dcd(a, payload_of(op.arg & 0xFFF));
            break;
        case 5:
            client.skip_dcd_header();
            break;
        case 6:
            client.jump_address(a);
            break;
        default:
            client.set_baudrate(op.arg & 0xFFFFFF);
            break;
    }
}

inline constexpr std::uint8_t kMbootOpCount = 15;

inline void run_mboot_op(proto::McuBootClient& client, const HostOperation& op, bool hid) {
    const std::uint32_t a = op.address;
    const std::uint32_t count = op.arg & 0xFFF;
    switch (op.op % kMbootOpCount) {
        case 0:
            if (!hid)
                (void)client.ping();
            break;
        case 1:
            (void)client.get_property(static_cast<std::uint8_t>(op.arg), a);
            break;
        case 2:
            (void)client.max_packet_size();
            break;
        case 3:
            (void)client.read_memory(a, count);
            break;
        case 4:
            client.write_memory(a, payload_of(count));
            break;
        case 5:
            client.fill_memory(a, count, 0xC0000007);
            break;
        case 6:
            client.flash_erase_region(a, count);
            break;
        case 7:
            client.flash_erase_all();
            break;
        case 8:
            client.configure_memory(9, a);
            break;
        case 9:
            (void)client.efuse_read_once(op.arg & 0xFF);
            break;
        case 10:
            client.efuse_program_once(op.arg & 0xFF, a);
            break;
        case 11:
            client.receive_sb_file(payload_of(count));
            break;
        case 12:
            client.execute(a, 0, 0);
            break;
        case 13:
            (void)client.generate_key_blob(Bytes(16, 1));
            break;
        default:
            client.reset();
            break;
    }
}

}  // namespace rtprov::fuzz
