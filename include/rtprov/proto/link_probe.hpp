#pragma once
// Who answers on a link before MCUBoot commands go out: a flashloader, or the boot ROM still in
// serial download mode (SDP), which never answers MCUBoot framing, so a client would only run
// into its timeout. Lets `rtprov mboot` say at once that a flashloader must be loaded first.

#include <chrono>
#include <cstdint>

#include "rtprov/transport/transport.hpp"

namespace rtprov::proto {

enum class LinkAnswer {
    Flashloader,  // answered a ping (UART), or enumerates as a flashloader / unknown part (USB)
    BootRom,      // answered SDP: the boot ROM in serial download mode
    Silent,       // nothing answered within the wait
};

struct LinkProbe {
    LinkAnswer answer = LinkAnswer::Silent;
    std::uint32_t hab_word = 0;  // BootRom: the HAB word it sent (0 when it only enumerated so)
};

// UART: an MCUBoot ping; without a ping response within `wait`, an SDP ERROR_STATUS, whose HAB
// word (HAB_LOCKED/UNLOCKED) identifies the boot ROM (a flashloader skips those bytes as line
// noise). USB-HID: the USB identity; a boot ROM VID:PID of the device database is confirmed with
// ERROR_STATUS, anything else counts as a flashloader (no SDP report is sent to it).
// Never throws for a silent or garbled link; link failures (closed port) throw Error(Device).
LinkProbe probe_link(transport::Transport& t, std::chrono::milliseconds wait);

}  // namespace rtprov::proto
