#pragma once
// The device-side targets feed host bytes (layout: protocol_fuzz.hpp) to sim::Session, the
// device end of a link, the same code `rtprov sim` runs. A small flash keeps runs fast.

#include "protocol_fuzz.hpp"
#include "rtprov/device/device.hpp"
#include "rtprov/sim/chip.hpp"
#include "rtprov/sim/session.hpp"

namespace rtprov::fuzz {

inline constexpr const char* kSimParts[] = {"mimxrt1010", "mimxrt1020", "mimxrt1050", "mimxrt1064"};

inline void drive_session(const std::uint8_t* data, std::size_t size, sim::ChipMode mode) {
    Reader in(bytes_of(data, size));
    const auto flags = in.number<std::uint8_t>();
    if (!flags)
        return;
    const bool hid = (*flags & 1) != 0;
    sim::Chip chip(device::find_device(kSimParts[*flags >> 1 & 3]),
                   sim::FlashGeometry{256 * 1024, 4096, 256});
    chip.set_mode(mode);
    sim::Session session(chip, nullptr);
    // The device must answer anything a host sends with protocol replies, never an exception:
    // `rtprov sim` has nobody to report one to (so nothing is caught here).
    while (const auto n = in.number<std::uint16_t>()) {
        if (*n == kReconnect) {
            session.restart_link();
            continue;
        }
        const ByteView piece = in.bytes(*n);
        if (hid) {
            if (piece.empty())
                continue;
            transport::HidReport report;
            report.id = piece[0];
            report.data.assign(piece.begin() + 1, piece.end());
            (void)session.on_report(report);
        } else {
            (void)session.on_bytes(piece);
        }
        (void)session.take_dirty();
        (void)session.take_baud_rate();
    }
}

}  // namespace rtprov::fuzz
